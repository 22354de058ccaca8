$ErrorActionPreference = 'Stop'
if (-not (Test-Path env:SSM_Version)) { $env:SSM_Version = '{{ Version }}' }
$want = $env:SSM_Version
$url = '{{ PackageUrl }}'
"installing {{ Version }}"
# the value {{ Version }} in a comment
$sha = $env:SSM_Sha256
if (-not (Test-Path env:SSM_Sha256)) { $env:SSM_Sha256 = '{{ Sha256 }}' }
if (-not (Test-Path env:SSM_Agent)) { $env:SSM_Agent = '{{ Version }}' }
$x = {{ Version }}
"$want $sha $env:SSM_Sha256 $url $x"
