$ErrorActionPreference = 'Stop'
$want = '{{ Version }}'
if ($want -eq '') { Write-Error "no version"; exit 1
"installing $want"
