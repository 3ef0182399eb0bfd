# anzen-collect.ps1 - read-only collector for anzen audit (schema anzen-collect/1)
# SPDX-License-Identifier: MIT
#
# What it does: reads settings of this Windows PC and writes them as one
# JSON file (UTF-8 with BOM) next to this script, named <COMPUTERNAME>.json.
# It changes nothing: no setting, no service, no module install. secedit
# writes its export to a temporary file that is deleted afterwards.
# Run it as administrator for the full picture (password policy, BitLocker
# and the audit policy need it); without, those parts are listed in "errors".
#
#   powershell -NoProfile -ExecutionPolicy Bypass -File anzen-collect.ps1
#   powershell -NoProfile -ExecutionPolicy Bypass -File anzen-collect.ps1 -OutDir E:\
#
# Windows 10/11, Windows Server 2016 and later, Windows PowerShell 5.1;
# Japanese and English display languages (only locale-independent values
# are read: SIDs, GUIDs, numbers, registry values).
param([string]$OutDir = $PSScriptRoot)

$ErrorActionPreference = 'Stop'
$errors = New-Object System.Collections.ArrayList
$failed = @{}
function Note($what, $err) { [void]$errors.Add(("{0}: {1}" -f $what, $err)) }
$now = Get-Date

function DaysSince($d) {
    if ($null -eq $d) { return $null }
    try { return [int][math]::Floor(($now - [datetime]$d).TotalDays) } catch { return $null }
}

# --- host -------------------------------------------------------------------
$hostInfo = [ordered]@{ name = $env:COMPUTERNAME; ips = @(); macs = @() }
try {
    $os = Get-CimInstance Win32_OperatingSystem
    $hostInfo.os = $os.Caption
    $hostInfo.os_version = $os.Version
    $hostInfo.build = $os.BuildNumber
} catch { Note 'os' $_ }
try { $hostInfo.domain = (Get-CimInstance Win32_ComputerSystem).Domain } catch { Note 'domain' $_ }
$hostInfo.locale = (Get-Culture).Name
$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
$hostInfo.is_admin = $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
try {
    $cfg = Get-CimInstance Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = True'
    $hostInfo.ips = @($cfg | ForEach-Object { $_.IPAddress } | Where-Object { $_ -and $_ -notlike 'fe80*' })
    $hostInfo.macs = @($cfg | ForEach-Object { $_.MACAddress } | Where-Object { $_ })
} catch { Note 'network' $_ }

# --- local users and administrators (SIDs, not group names: locale-free) ---
$users = @()
$adminSids = @()
try {
    $adminSids = @(Get-LocalGroupMember -SID 'S-1-5-32-544' | ForEach-Object { $_.SID.Value })
} catch { Note 'administrators' $_ }
try {
    foreach ($u in Get-LocalUser) {
        $sid = $u.SID.Value
        $builtin = $null
        if ($sid -like '*-500') { $builtin = 'administrator' }
        elseif ($sid -like '*-501') { $builtin = 'guest' }
        elseif ($sid -like '*-503' -or $sid -like '*-504') { $builtin = 'system' }
        $users += [ordered]@{
            name = $u.Name; sid = $sid; enabled = [bool]$u.Enabled
            admin = ($adminSids -contains $sid); builtin = $builtin
            password_required = [bool]$u.PasswordRequired
            last_logon = $(if ($u.LastLogon) { $u.LastLogon.ToString('s') } else { $null })
            last_logon_days = DaysSince $u.LastLogon
        }
    }
} catch { Note 'users' $_; $failed['users'] = $true }

# --- password and lockout policy: secedit /export (keys are locale-free) ---
$policy = [ordered]@{}
$tmp = Join-Path $env:TEMP ('anzen-secedit-' + [guid]::NewGuid().ToString() + '.inf')
try {
    $null = & secedit.exe /export /cfg $tmp /areas SECURITYPOLICY /quiet
    if (Test-Path $tmp) {
        foreach ($line in Get-Content -Path $tmp -Encoding Unicode) {
            if ($line -match '^\s*(MinimumPasswordLength|PasswordHistorySize|LockoutBadCount|LockoutDuration|ResetLockoutCount|MaximumPasswordAge|MinimumPasswordAge|PasswordComplexity)\s*=\s*(-?\d+)') {
                $policy[$matches[1]] = [int]$matches[2]
            }
        }
    } else { Note 'secedit' 'no export (administrator rights needed)' }
} catch { Note 'secedit' $_ }
finally { if (Test-Path $tmp) { Remove-Item -Force $tmp } }

# --- updates --------------------------------------------------------------
$hotfixes = @()
$lastUpdate = $null
try {
    foreach ($h in Get-HotFix) {
        $d = $null
        try { if ($h.InstalledOn) { $d = [datetime]$h.InstalledOn } } catch { }
        $hotfixes += [ordered]@{ id = $h.HotFixID; description = $h.Description
            installed_on = $(if ($d) { $d.ToString('yyyy-MM-dd') } else { $null }) }
        if ($d -and ($null -eq $lastUpdate -or $d -gt $lastUpdate)) { $lastUpdate = $d }
    }
} catch { Note 'hotfix' $_; $failed['hotfixes'] = $true }

# --- antivirus -------------------------------------------------------------
$defender = [ordered]@{}
try {
    $mp = Get-MpComputerStatus
    $defender.enabled = [bool]$mp.AntivirusEnabled
    $defender.realtime = [bool]$mp.RealTimeProtectionEnabled
    $defender.signature_age_days = [int]$mp.AntivirusSignatureAge
    $defender.signature_version = $mp.AntivirusSignatureVersion
} catch { Note 'defender' $_ }
$av = @()
try {
    foreach ($p in Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct) {
        # productState: bits 12-13 on/off, bits 4-5 signatures out of date
        $st = [int]$p.productState
        $av += [ordered]@{ name = $p.displayName; enabled = (($st -band 0x3000) -eq 0x1000)
            up_to_date = (($st -band 0x10) -eq 0); state = $st }
    }
} catch { Note 'antivirus' $_; $failed['antivirus'] = $true }

# --- BitLocker ----------------------------------------------------------------
$bitlocker = @()
try {
    foreach ($v in Get-CimInstance -Namespace root/CIMV2/Security/MicrosoftVolumeEncryption -ClassName Win32_EncryptableVolume) {
        $bitlocker += [ordered]@{ mount = $v.DriveLetter; protection = [int]$v.ProtectionStatus
            system = ($v.DriveLetter -eq $env:SystemDrive) }
    }
} catch { Note 'bitlocker' $_; $failed['bitlocker'] = $true }

# --- registry values the rules read ---------------------------------------
$registry = [ordered]@{}
$keys = @(
    'HKLM\SYSTEM\CurrentControlSet\Services\USBSTOR\Start',
    'HKLM\SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices\Deny_All',
    'HKLM\SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices\{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}\Deny_Read',
    'HKLM\SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices\{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}\Deny_Write',
    'HKLM\SOFTWARE\Policies\Microsoft\PassportForWork\Enabled',
    'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\scforceoption',
    'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\fDenyTSConnections',
    'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp\UserAuthentication',
    'HKLM\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters\SMB1'
)
foreach ($k in $keys) {
    $i = $k.LastIndexOf('\')
    # 'HKLM\...' as the HKLM: drive path
    $path = 'HKLM:' + $k.Substring(4, $i - 4)
    $name = $k.Substring($i + 1)
    $val = $null
    try { $val = (Get-ItemProperty -Path $path -Name $name -ErrorAction Stop).$name } catch { }
    $registry[$k] = $val
}
$rdp = [ordered]@{
    enabled = ($registry['HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\fDenyTSConnections'] -eq 0)
    nla = ($registry['HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp\UserAuthentication'] -eq 1)
}
$smb1 = [ordered]@{}
try { $smb1.server_enabled = [bool](Get-SmbServerConfiguration).EnableSMB1Protocol } catch { Note 'smb1' $_ }

# --- firewall -------------------------------------------------------------
$firewall = @()
try {
    foreach ($p in Get-NetFirewallProfile) {
        $firewall += [ordered]@{ profile = [string]$p.Name; enabled = [bool]($p.Enabled -eq $true -or [string]$p.Enabled -eq 'True') }
    }
} catch { Note 'firewall' $_; $failed['firewall'] = $true }

# --- audit policy: /r gives CSV; the GUID column is locale-free ------------
$auditpol = @()
try {
    $csv = & auditpol.exe /get /category:* /r
    if ($LASTEXITCODE -ne 0) { throw "auditpol exit $LASTEXITCODE (administrator rights needed)" }
    foreach ($row in ($csv | Where-Object { $_ -match ',' } | ConvertFrom-Csv)) {
        $props = @($row.PSObject.Properties)
        # columns: machine, target, subcategory, GUID, inclusion, exclusion
        $guid = [string]$props[3].Value
        $incl = [string]$props[4].Value
        $v = 0
        if ($incl -match 'Success|成功') { $v += 1 }
        if ($incl -match 'Failure|失敗') { $v += 2 }
        $auditpol += [ordered]@{ subcategory = [string]$props[2].Value; guid = $guid; setting = $incl; value = $v }
    }
} catch { Note 'auditpol' $_; $failed['auditpol'] = $true }

# --- listening ports ------------------------------------------------------
$listening = @()
try {
    foreach ($c in Get-NetTCPConnection -State Listen) {
        $pn = $null
        try { $pn = (Get-Process -Id $c.OwningProcess -ErrorAction Stop).ProcessName } catch { }
        $listening += [ordered]@{ port = [int]$c.LocalPort; address = [string]$c.LocalAddress; process = $pn }
    }
} catch { Note 'listening' $_; $failed['listening'] = $true }

# --- scheduled backup tasks ---------------------------------------------
$backup = @()
try {
    foreach ($t in Get-ScheduledTask) {
        $label = ($t.TaskPath + $t.TaskName + ' ' + (($t.Actions | ForEach-Object { $_.Execute + ' ' + $_.Arguments }) -join ' '))
        if ($label -match '(?i)backup|wbadmin|robocopy|restic|veeam|acronis|arcserve|filehistory|バックアップ') {
            $info = $null
            try { $info = Get-ScheduledTaskInfo -TaskPath $t.TaskPath -TaskName $t.TaskName } catch { }
            $lr = $null
            if ($info -and $info.LastRunTime -and $info.LastRunTime.Year -gt 2000) { $lr = $info.LastRunTime }
            $backup += [ordered]@{ name = $t.TaskName; path = $t.TaskPath; state = [string]$t.State
                last_run = $(if ($lr) { $lr.ToString('s') } else { $null }); last_run_days = DaysSince $lr
                last_result = $(if ($info) { [int64]$info.LastTaskResult } else { $null }) }
        }
    }
} catch { Note 'tasks' $_; $failed['backup_tasks'] = $true }

$doc = [ordered]@{
    schema = 'anzen-collect/1'
    collector_version = '1'
    collected = $now.ToString('yyyy-MM-ddTHH:mm:sszzz')
    host = $hostInfo
    users = @($users)
    password_policy = $policy
    hotfixes = @($hotfixes)
    last_update = $(if ($lastUpdate) { $lastUpdate.ToString('yyyy-MM-dd') } else { $null })
    last_update_days = DaysSince $lastUpdate
    defender = $defender
    antivirus = @($av)
    bitlocker = @($bitlocker)
    registry = $registry
    rdp = $rdp
    smb1 = $smb1
    firewall = @($firewall)
    auditpol = @($auditpol)
    listening = @($listening)
    backup_tasks = @($backup)
    errors = @($errors)
}
# a part that could not be read is null (unknown), never an empty list (none)
foreach ($k in $failed.Keys) { $doc[$k] = $null }
$out = Join-Path $OutDir ($env:COMPUTERNAME + '.json')
$json = ConvertTo-Json -InputObject $doc -Depth 6
# UTF-8 with BOM, as Windows PowerShell 5.1 tools expect; anzen accepts it
[System.IO.File]::WriteAllText($out, $json, (New-Object System.Text.UTF8Encoding($true)))
Write-Output ("anzen: wrote " + $out)
