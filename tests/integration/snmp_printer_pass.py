#!/usr/bin/env python3
"""net-snmp pass_persist script: serves one printer's Host Resources device
rows (1.3.6.1.2.1.25.3) and Printer MIB (1.3.6.1.2.1.43) from a JSON state
file that snmp_agent.SnmpPrinter rewrites (atomically) while snmpd runs.

Usage (snmpd.conf):  pass_persist BASE PYTHON snmp_printer_pass.py STATE_FILE BASE
Only the objects under BASE are answered, so snmpd can register the script
once per subtree. The state file is re-read when its inode, mtime or size
changed, so every request sees the latest values.

Protocol (snmpd(8) / snmpd.conf(5) "pass_persist"): "PING" -> "PONG";
"get\\nOID" and "getnext\\nOID" -> "OID\\nTYPE\\nVALUE" or "NONE";
"set\\nOID\\nTYPE VALUE" -> "not-writable". Standard library only.
"""
import bisect
import json
import os
import sys

HR_DEVICE = (1, 3, 6, 1, 2, 1, 25, 3, 2, 1)      # hrDeviceEntry
HR_PRINTER = (1, 3, 6, 1, 2, 1, 25, 3, 5, 1)     # hrPrinterEntry
HR_DEVICE_PRINTER = "1.3.6.1.2.1.25.3.1.5"       # hrDevicePrinter (hrDeviceType value)
PRT = (1, 3, 6, 1, 2, 1, 43)
PRT_GENERAL = PRT + (5, 1, 1)                    # prtGeneralEntry
PRT_COVER = PRT + (6, 1, 1)                      # prtCoverEntry
PRT_MARKER = PRT + (10, 2, 1)                    # prtMarkerEntry
PRT_SUPPLIES = PRT + (11, 1, 1)                  # prtMarkerSuppliesEntry
PRT_ALERT = PRT + (18, 1, 1)                     # prtAlertEntry
DEV = 1                                          # hrDeviceIndex of the printer


def parse_oid(text):
    text = text.strip().strip(".")
    return tuple(int(p) for p in text.split(".")) if text else ()


def format_oid(oid):
    return "." + ".".join(str(n) for n in oid)


def build_table(state):
    """The whole MIB view of the state: {oid tuple: (pass type, value text)}."""
    t = {}

    def put(oid, typ, value):
        if typ == "string":
            value = str(value).replace("\r", " ").replace("\n", " ")
        t[oid] = (typ, str(value))

    # hrDeviceTable row 1 and hrPrinterTable row 1.
    put(HR_DEVICE + (1, DEV), "integer", DEV)                          # hrDeviceIndex
    put(HR_DEVICE + (2, DEV), "objectid", HR_DEVICE_PRINTER)           # hrDeviceType
    put(HR_DEVICE + (3, DEV), "string", state.get("descr", ""))        # hrDeviceDescr
    put(HR_DEVICE + (4, DEV), "objectid", "0.0")                       # hrDeviceID
    put(HR_DEVICE + (5, DEV), "integer", int(state.get("device_status", 2)))   # hrDeviceStatus
    put(HR_DEVICE + (6, DEV), "counter", 0)                            # hrDeviceErrors
    put(HR_PRINTER + (1, DEV), "integer", int(state.get("printer_status", 3)))  # hrPrinterStatus
    bits = int(state.get("error_state", 0)) & 0xFFFF                   # hrPrinterDetectedErrorState
    put(HR_PRINTER + (2, DEV), "octet", "%02X %02X" % (bits >> 8, bits & 0xFF))

    # prtGeneralTable: printer name and serial number.
    put(PRT_GENERAL + (16, DEV), "string", state.get("name", ""))      # prtGeneralPrinterName
    put(PRT_GENERAL + (17, DEV), "string", state.get("serial", ""))    # prtGeneralSerialNumber

    # prtCoverTable row 1.
    put(PRT_COVER + (2, DEV, 1), "string", "Front cover")              # prtCoverDescription
    put(PRT_COVER + (3, DEV, 1), "integer", int(state.get("cover", 4)))  # prtCoverStatus

    # prtMarkerTable row 1.
    put(PRT_MARKER + (3, DEV, 1), "integer", 7)                        # prtMarkerCounterUnit impressions
    put(PRT_MARKER + (4, DEV, 1), "counter", int(state.get("life_count", 0)) % (1 << 32))  # prtMarkerLifeCount

    # prtMarkerSuppliesTable rows 1..n.
    for row, s in enumerate(state.get("supplies", []), 1):
        put(PRT_SUPPLIES + (2, DEV, row), "integer", 1)                # prtMarkerSuppliesMarkerIndex
        put(PRT_SUPPLIES + (3, DEV, row), "integer", 0)                # prtMarkerSuppliesColorantIndex
        put(PRT_SUPPLIES + (4, DEV, row), "integer", int(s.get("class", 3)))  # prtMarkerSuppliesClass
        put(PRT_SUPPLIES + (5, DEV, row), "integer", int(s.get("type", 3)))   # prtMarkerSuppliesType
        put(PRT_SUPPLIES + (6, DEV, row), "string", s.get("descr", ""))       # prtMarkerSuppliesDescription
        put(PRT_SUPPLIES + (7, DEV, row), "integer", int(s.get("unit", 19)))  # prtMarkerSuppliesSupplyUnit
        put(PRT_SUPPLIES + (8, DEV, row), "integer", int(s.get("max", -2)))   # prtMarkerSuppliesMaxCapacity
        put(PRT_SUPPLIES + (9, DEV, row), "integer", int(s.get("level", -2)))  # prtMarkerSuppliesLevel

    # prtAlertTable rows 1..n.
    for row, a in enumerate(state.get("alerts", []), 1):
        put(PRT_ALERT + (2, DEV, row), "integer", int(a.get("severity", 1)))       # prtAlertSeverityLevel
        put(PRT_ALERT + (3, DEV, row), "integer", int(a.get("training", 3)))       # prtAlertTrainingLevel
        put(PRT_ALERT + (4, DEV, row), "integer", int(a.get("group", 5)))          # prtAlertGroup
        put(PRT_ALERT + (5, DEV, row), "integer", int(a.get("group_index", 1)))    # prtAlertGroupIndex
        put(PRT_ALERT + (6, DEV, row), "integer", int(a.get("location", -2)))      # prtAlertLocation
        put(PRT_ALERT + (7, DEV, row), "integer", int(a.get("code", 1)))           # prtAlertCode
        put(PRT_ALERT + (8, DEV, row), "string", a.get("descr", ""))               # prtAlertDescription
        put(PRT_ALERT + (9, DEV, row), "timeticks", int(a.get("time", 0)) % (1 << 32))  # prtAlertTime
    return t


class View:
    def __init__(self, state_path, base):
        self.state_path = state_path
        self.base = base
        self.key = None
        self.oids = []
        self.values = {}

    def refresh(self):
        try:
            st = os.stat(self.state_path)
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            key = None
        if key == self.key and self.key is not None:
            return
        try:
            with open(self.state_path, "r", encoding="utf-8") as f:
                state = json.load(f)
        except (OSError, ValueError):
            if self.key is not None:
                return      # keep the last good view
            state = {}
        table = build_table(state)
        n = len(self.base)
        self.values = {oid: v for oid, v in table.items() if oid[:n] == self.base}
        self.oids = sorted(self.values)
        self.key = key

    def get(self, oid):
        return oid if oid in self.values else None

    def getnext(self, oid):
        i = bisect.bisect_right(self.oids, oid)
        return self.oids[i] if i < len(self.oids) else None


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: snmp_printer_pass.py STATE_FILE BASE_OID\n")
        return 2
    view = View(sys.argv[1], parse_oid(sys.argv[2]))
    inp, out = sys.stdin, sys.stdout

    def reply(oid):
        if oid is None:
            out.write("NONE\n")
        else:
            typ, value = view.values[oid]
            out.write("%s\n%s\n%s\n" % (format_oid(oid), typ, value))

    while True:
        line = inp.readline()
        if not line:
            return 0
        cmd = line.strip().lower()
        if cmd == "":
            return 0        # snmpd closes with an empty line
        if cmd == "ping":
            out.write("PONG\n")
        elif cmd in ("get", "getnext"):
            try:
                oid = parse_oid(inp.readline())
            except ValueError:
                out.write("NONE\n")
            else:
                view.refresh()
                reply(view.get(oid) if cmd == "get" else view.getnext(oid))
        elif cmd == "set":
            inp.readline()
            inp.readline()
            out.write("not-writable\n")
        else:
            out.write("NONE\n")
        out.flush()


if __name__ == "__main__":
    sys.exit(main())
