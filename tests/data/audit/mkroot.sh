#!/bin/sh
# SPDX-License-Identifier: MIT
# Build a prepared root directory for `anzen audit run --root` (tests and
# bench/audit). Git keeps no file times, so the tree is made here, with
# the dates the expected results depend on (use --as-of 2026-11-25).
#   mkroot.sh good DIR   a server that passes every check
#   mkroot.sh bad DIR    an extra UID 0 account, PASS_MIN_LEN 6, usb-storage
#                        loadable, PermitRootLogin yes, no persistent journal,
#                        a stale backup, and the rest of the misconfigurations
set -eu
kind=$1
R=$2
mkdir -p "$R/etc/ssh/sshd_config.d" "$R/etc/pam.d" "$R/etc/security" "$R/etc/default" \
    "$R/etc/modprobe.d" "$R/etc/systemd/system" "$R/etc/cron.d" "$R/etc/sudoers.d" \
    "$R/etc/rsyslog.d" "$R/var/lib/dpkg" "$R/var/log/apt" "$R/proc/net" "$R/proc/1" \
    "$R/srv/backup/daily.0" "$R/sys/class/net/eth0" "$R/var/lib/apt/lists"
w() { mkdir -p "$(dirname "$R/$1")"; printf '%s\n' "$2" >"$R/$1"; }
tcp_head='  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'
w var/lib/dpkg/status 'Package: base-files
Status: install ok installed
Architecture: amd64
Version: 12.4+deb12u8

Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.15-1~deb12u1

Package: libssl3
Status: deinstall ok config-files
Architecture: amd64
Version: 3.0.9-1'
L=var/lib/apt/lists/deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages
w etc/os-release 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"'
w proc/1/comm systemd
w etc/cron.d/backup '# nightly snapshot
30 2 * * * root /usr/bin/rsnapshot daily'
printf 'snapshot_root\t/srv/backup/\nretain\tdaily\t7\n' >"$R/etc/rsnapshot.conf"
w etc/ssh/sshd_config 'Include /etc/ssh/sshd_config.d/*.conf
UsePAM yes'
w etc/sudoers 'Defaults env_reset
root ALL=(ALL:ALL) ALL
%sudo ALL=(ALL:ALL) ALL'
if [ "$kind" = good ]; then
    w etc/hostname emr-srv
    w sys/class/net/eth0/address 52:54:00:12:34:56
    w etc/passwd 'root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
sshd:x:100:65534::/run/sshd:/usr/sbin/nologin
alice:x:1000:1000:Alice:/home/alice:/bin/bash'
    w etc/shadow 'root:*:19700:0:99999:7:::
daemon:*:19700:0:99999:7:::
sshd:!:19700::::::
alice:$y$j9T$abc$def:19700:0:99999:7:60::'
    w etc/default/useradd 'SHELL=/bin/bash
INACTIVE=60'
    w etc/security/pwquality.conf 'minlen = 12'
    w etc/login.defs 'PASS_MIN_LEN 12'
    w etc/pam.d/common-password 'password requisite pam_pwquality.so retry=3
password required pam_pwhistory.so remember=5 use_authtok
password [success=1 default=ignore] pam_unix.so obscure use_authtok yescrypt'
    w etc/pam.d/common-auth 'auth required pam_faillock.so preauth
auth [success=1 default=ignore] pam_unix.so nullok
auth required pam_u2f.so cue
auth [default=die] pam_faillock.so authfail'
    w etc/security/faillock.conf 'deny = 5
unlock_time = 900'
    w etc/modprobe.d/usb-storage.conf 'install usb-storage /bin/false'
    w etc/systemd/journald.conf '[Journal]
Storage=persistent'
    w etc/systemd/system/multi-user.target.wants/auditd.service '[Unit]'
    w etc/rsyslog.d/50-forward.conf '*.* @@192.168.20.5:514'
    printf '%s\n%s\n%s\n' "$tcp_head" \
        '   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0' \
        '   1: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 1002 1 0 100 0 0 10 0' \
        >"$R/proc/net/tcp"
    printf '%s\n%s\n' "$tcp_head" \
        '   0: 00000000000000000000000001000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 1003 1 0 100 0 0 10 0' \
        >"$R/proc/net/tcp6"
    mkdir -p "$R/proc/200" "$R/proc/300"
    w proc/200/comm chronyd
    w proc/300/comm auditd
    w etc/ssh/sshd_config.d/10-hardening.conf 'PermitRootLogin no
PasswordAuthentication no'
    w etc/nftables.conf '#!/usr/sbin/nft -f
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established,related accept
    tcp dport 22 accept
  }
}'
    w etc/crypttab 'data_crypt UUID=2f6c3b1e-8d4a-4c55-9b1e-0d5a7f1c2e3d none luks,discard'
    w etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service '[Unit]'
    w var/log/apt/history.log 'Start-Date: 2026-11-10  03:00:01'
    w "$L" 'Package: openssl
Architecture: amd64
Version: 3.0.15-1~deb12u1

Package: libssl3
Architecture: amd64
Version: 3.0.15-1~deb12u1'
    touch -d '2026-11-10 03:00' "$R/var/log/apt/history.log"
    touch -d '2026-11-24 02:30' "$R/srv/backup/daily.0" "$R/srv/backup"
else
    w etc/hostname reception-srv
    w sys/class/net/eth0/address 52:54:00:ab:cd:ef
    w etc/passwd 'root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
toor:x:0:0:backdoor:/root:/bin/bash
guest:x:1001:1001::/home/guest:/bin/bash'
    w etc/shadow 'root:$y$j9T$abc$def:19700:0:99999:7:::
toor:$y$j9T$abc$def:19700:0:99999:7:::
guest::19000:0:99999:7:::'
    w etc/sudoers.d/90-staff 'staff ALL=(ALL) NOPASSWD: ALL'
    w etc/default/useradd 'SHELL=/bin/sh
INACTIVE=-1'
    w etc/login.defs 'PASS_MAX_DAYS 99999
PASS_MIN_LEN 6'
    w etc/pam.d/common-password 'password [success=1 default=ignore] pam_unix.so obscure yescrypt'
    w etc/pam.d/common-auth 'auth [success=1 default=ignore] pam_unix.so nullok'
    w etc/modprobe.d/alsa.conf 'options snd-hda-intel model=auto'
    w etc/systemd/journald.conf '[Journal]
#Storage=auto'
    printf '%s\n%s\n%s\n' "$tcp_head" \
        '   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0 100 0 0 10 0' \
        '   1: 00000000:0017 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2002 1 0 100 0 0 10 0' \
        >"$R/proc/net/tcp"
    printf '%s\n' "$tcp_head" >"$R/proc/net/tcp6"
    w etc/ssh/sshd_config.d/50-local.conf 'PermitRootLogin yes'
    w etc/ufw/ufw.conf 'ENABLED=no'
    w var/log/apt/history.log 'Start-Date: 2026-08-01  10:00:00'
    # a newer openssl in the security suite, kept compressed as apt may
    printf 'Package: openssl\nArchitecture: amd64\nVersion: 3.0.17-1~deb12u2\n\nPackage: base-files\nArchitecture: amd64\nVersion: 12.4+deb12u8\n' | gzip -c >"$R/$L.gz"
    touch -d '2026-08-01 10:00' "$R/var/log/apt/history.log"
    touch -d '2026-09-01 02:30' "$R/srv/backup/daily.0" "$R/srv/backup"
fi
