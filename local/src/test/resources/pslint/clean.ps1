# Every rule's allowed form: a PowerShell 2.0 script that checks each native program it runs.
$ErrorActionPreference = 'Stop'
$dir = Join-Path $env:ProgramData 'Amazon\xen2nitro'
$p = Start-Process msiexec.exe -ArgumentList "/i `"$dir\AWSPVDriverSetup.msi`" /quiet /norestart" -Wait -PassThru
if (@(0, 1641, 3010) -notcontains $p.ExitCode) { Write-Error "msiexec exited $($p.ExitCode)"; exit 1 }
$out = & "$env:SystemRoot\System32\pnputil.exe" -e
if ($LASTEXITCODE -ne 0) { Write-Error "pnputil -e exited $LASTEXITCODE"; exit 1 }
$apps = Get-ChildItem 'HKLM:\SOFTWARE' | Where-Object { $_.Name -like '*Amazon*' } | ForEach-Object { $_.PSChildName }
$facts = New-Object PSObject -Property @{ os = '2008R2' }
"done: $($apps -join ',') $($facts.os) $out"
