$ErrorActionPreference = 'Stop'
Import-Module AWSPowerShell
Read-S3Object -BucketName 'xen2nitro-drivers-123456789012' -Key 'drivers/AWSPVDriver/8.4.3/AWSPVDriver.zip' -File 'C:\ProgramData\xen2nitro\AWSPVDriver.zip' | Out-Null
$zip = 'C:\ProgramData\xen2nitro\AWSNVMe.zip'
(New-Object Net.WebClient).DownloadFile('https://example.invalid/AWSNVMe.zip', $zip)
Get-EC2Instance -InstanceId 'i-0123456789abcdef0' | Out-Null
