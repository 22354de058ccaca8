$ErrorActionPreference = 'Stop'
$dir = Join-Path $env:ProgramData 'Amazon\xen2nitro'
$p = Start-Process (Join-Path $dir 'dpinst.exe') -ArgumentList '/S /SE /SW' -Wait -PassThru
"dpinst exited $($p.ExitCode)"
pnputil.exe -e
if ($LASTEXITCODE -ne 0) { Write-Error "pnputil -e exited $LASTEXITCODE"; exit 1 }
Start-Process rundll32.exe -ArgumentList 'sppnp.dll,Sysprep_Generalize_Pnp' -Wait
"Sysprep_Generalize_Pnp done"
