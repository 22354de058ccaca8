$ErrorActionPreference = 'Stop'
$dir = Join-Path $env:ProgramData 'Amazon\xen2nitro'
$ps = "$env:SystemRoot\Sysnative\WindowsPowerShell\v1.0\powershell.exe"
$p = Start-Process $ps -ArgumentList "-File `"$dir\install.ps1`"" -Wait -PassThru
if ($p.ExitCode -ne 0) { Write-Error "install.ps1 exited $($p.ExitCode)"; exit 1 }
