$ErrorActionPreference = 'Stop'
$dir = Join-Path $env:ProgramData 'xen2nitro'
"unpacked into $dir: check the package; $env:TEMP and $($dir): are fine"
if ($dir -eq '') { Write-Error "no folder"; exit 1
"installing into $dir"
