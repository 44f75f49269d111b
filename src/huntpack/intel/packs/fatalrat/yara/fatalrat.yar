/*
    huntpack — FatalRAT campaign pack, YARA rules.

    Written for huntpack from the facts in the pack's intelligence notes (fatalrat-facts.md):
      - §1.4/§1.5/§1.6 (tag [V], Gh0st-derived builder "FUDrat" on GitHub: testitok/FUDrat):
        "SVP7-Thread running..." debug string, nw_elf.dll companion file, Run value SVP7,
        keylog file "<group>.key" (default group "Fatal") XOR-encoded with 0x62 and headed by
        "[标题:]" / "[时间:]" / "[内容:]" in GBK (constants compiled into the program),
        browser wiping commands, "taskkill /f /im rundll32.exe", hackshen.exe lateral copy,
        AnyDesk "--set-password", CHROMEUSERINFO exports and result strings.
      - §1.3 (tag [V]): WMI "MSAcpi_ThermalZoneTemperature" anti-VM query and the encrypted
        sandbox path string "XXAcQbcXXfRSScR" (= C:\Users\vbccsb, key 13).
      - §1.7 (tag [V]): RC4 key "EwinhProtocolHosty" and the string/config decryption routine
        k = (key mod 1451) + 61; b = (b xor k) + k, i.e. the constants 0x5AB and 0x3D. The hex
        pattern below is our own, written from those constants with jumps so that register
        allocation changes between builds still match. The RC4 key is assembled as a stack
        array in the builder source, so it may be absent as a plain string: it only scores.
      - §1.2 (tag [V], Microsoft Defender signatures FatalRat.HHN!MTB / FatalRAT.EC!MTB):
        2025 loader strings (7moor CDN path, shell.txt, sdfsd.exe, ShellCodeLoader.pdb,
        system32\1.bin); the MFC library strings of FatalRAT.EC are left out (see the rule).
    Builder defaults (group name, service names, port, keys) can be changed by the operator;
    the rules therefore combine several independent strings rather than relying on one.
    Reference sample (unpacked, 2021, from the public AT&T Alien Labs rule metadata):
      sha256 ec0dcfe2d8380a4bafadb3ed73b546cbf73ef78f893e32202042a5818b67ce56
*/

rule HUNTPACK_FatalRAT_Payload
{
    meta:
        author = "huntpack"
        date = "2026-12-03"
        description = "FatalRAT (Gh0st-derived RAT) main module or installer: builder strings, anti-VM and wiping commands, config decryption routine"
        family = "FatalRAT"
        confidence = "high when the decryption routine or the SVP7 thread string is present, medium for string-only hits"
        reference = "https://cybersecurity.att.com/blogs/labs-research/new-sophisticated-rat-in-town-fatalrat-analysis"
        reference_source = "https://github.com/testitok/FUDrat"
        attack = "T1056.001, T1497.001, T1543.003, T1547.001, T1573.001, T1070.004, T1219, T1570"

    strings:
        // string/config decryption: mov ecx,0x5AB ... idiv ecx ... add dl,0x3D ... xor cl,dl ; add cl,dl
        $decrypt = { B9 AB 05 00 00 [1-4] F7 F9 [1-8] 80 C2 3D [4-16] 32 CA 02 CA }

        $svp7_thread = "SVP7-Thread running..." ascii wide
        $nw_elf = "nw_elf.dll" ascii wide nocase
        $rc4_key = "EwinhProtocolHosty" ascii wide
        $keylog_name = "Fatal.key" ascii wide nocase
        $keylog_fmt = ":]%d-%d-%d  %d:%d:%d" ascii
        $keylog_title_gbk = { 5B B1 EA CC E2 3A 5D }          // "[标题:]" in GBK
        $sandbox_path_enc = "XXAcQbcXXfRSScR" ascii
        $thermal = "MSAcpi_ThermalZoneTemperature" ascii wide nocase
        $wipe_ie = "InetCpl.cpl,ClearMyTracksByProcess" ascii wide nocase
        $wipe_ff = "\\Mozilla\\Firefox\\Profiles\\*.db" ascii wide nocase
        $kill_rundll = "taskkill /f /im rundll32.exe" ascii wide nocase
        $lateral_admin = "\\admin$\\hackshen.exe" ascii wide nocase
        $lateral_c = "\\C$\\hackshen.exe" ascii wide nocase
        $anydesk_pw = "AnyDesk.exe --set-password" ascii wide nocase
        $chrome_nodata = "CHROME_NO_DATA" ascii
        $chrome_unknown = "CHROME_UNKNOW" ascii
        $chrome_export = "fnGetChromeUserInfo" ascii

    condition:
        uint16(0) == 0x5A4D and filesize < 8MB and (
            ($decrypt and 1 of ($svp7_thread, $nw_elf, $rc4_key, $sandbox_path_enc))
            or ($svp7_thread and $nw_elf)
            or 5 of ($svp7_thread, $nw_elf, $rc4_key, $keylog_name, $keylog_fmt, $keylog_title_gbk,
                     $sandbox_path_enc, $thermal, $wipe_ie, $wipe_ff, $kill_rundll, $lateral_admin,
                     $lateral_c, $anydesk_pw, $chrome_nodata, $chrome_unknown, $chrome_export)
        )
}

rule HUNTPACK_FatalRAT_Loader_2025
{
    meta:
        author = "huntpack"
        date = "2026-12-03"
        description = "2025 FatalRAT loader/shellcode stage: artefacts named in Microsoft Defender signatures FatalRat.HHN!MTB and FatalRAT.EC!MTB"
        family = "FatalRAT"
        confidence = "medium: strings come from detection signatures, not from an incident write-up"
        reference = "https://github.com/mthcht/awesome-lists/blob/main/Lists/Others/Defender_yara_rules/Win32/Trojan/FatalRat.yara"
        attack = "T1105, T1102, T1620"

    strings:
        $url_path = "/ly/4d2c3f00-7d4c-11e5-af15-41bf63ae4ea0/1741169086388/3.txt" ascii wide nocase
        $cdn_host = "fs-im-kefu.7moor-fs1.com" ascii wide nocase
        $shell_txt = "Users\\Public\\Documents\\shell.txt" ascii wide nocase
        $dropper = "sdfsd.exe" ascii wide nocase
        $pdb = "ShellCodeLoader.pdb" ascii nocase
        $bin = "system32\\1.bin" ascii wide nocase
        // FatalRAT.EC also lists "KeyboardManager", "DockingManagers" and
        // "RestartByRestartManager:": MFC library strings (Feature Pack registry sections, the
        // restart-manager switch) found in programs linked statically with MFC, so they decide
        // nothing here. "ShellCodeLoader" is a common project name: the PDB needs the 1.bin path.

    condition:
        uint16(0) == 0x5A4D and filesize < 20MB and (
            $url_path
            or ($cdn_host and 1 of ($shell_txt, $dropper, $pdb, $bin))
            or ($pdb and $bin)
            or 3 of ($shell_txt, $dropper, $pdb, $bin)
        )
}

rule HUNTPACK_FatalRAT_Keylog_File
{
    meta:
        author = "huntpack"
        date = "2026-12-03"
        description = "FatalRAT offline keylog (<group>.key, default Fatal.key): window-title and time headers XOR 0x62, written in the GBK code page"
        family = "FatalRAT"
        confidence = "high: the headers are constants compiled into the program, so the host's code page does not change them; a build whose source is not GBK-encoded would not match"
        reference_source = "https://github.com/testitok/FUDrat"
        attack = "T1056.001"

    strings:
        $title_xor = { 39 D3 88 AE 80 58 3F }      // "[标题:]" GBK ^ 0x62
        $time_xor = { 39 A8 D3 DE 86 58 3F }       // "[时间:]" GBK ^ 0x62
        $content_xor = { 39 A6 B8 AA BF 58 3F }    // "[内容:]" GBK ^ 0x62

    condition:
        filesize < 60MB and (
            uint16(0) == 0x686F and $title_xor at 2    // file starts with "\r\n[标题:]" encoded
            or ($title_xor and $time_xor)
            or ($time_xor and $content_xor)
        )
}
