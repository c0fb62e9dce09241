"""Printer monitoring over SNMP, end to end: net-snmp's real snmpd plays two
printers (snmp_agent.py serves their Printer MIB from a state file the tests
change) and quired polls them. What a device reports shows in IPP
printer-state / printer-state-reasons / printer-supply of the queues that use
it, reaches IPP printer subscriptions as printer-state-changed events, stops
the printer (release refused with the reason) while it cannot print, and
comes back when it can. A silent device goes offline after N polls and back
when it answers; SNMPv1 devices are walked with GETNEXT; a wrong community is
a silent device, not a crash; a jam at one printer touches no other."""
import base64
import http.client
import json
import tempfile
import time
import unittest

from quire_harness import SAMPLE_PDF, Client, Quired, printer_attributes, attr, parse_groups, parse_response, request, wait_for
from snmp_agent import SnmpPrinter, error_bits

PDF = open(SAMPLE_PDF, "rb").read()
ROOT_PASSWORD = "monitor-root-pw-1"
INTERVAL = 5      # [monitoring] interval_s (its minimum)
WAIT = 3 * INTERVAL + 5  # a change shows within one interval; slack for a slow machine


class Monitoring(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="quire-snmp-")
        cls.agent1 = SnmpPrinter(cls.tmp, serial="QX-0001", name="lab1-device")
        cls.agent2 = SnmpPrinter(cls.tmp, serial="QX-0002", name="lab2-device")
        for a in (cls.agent1, cls.agent2):
            a.set_status(2, 3)
            a.set_error_state(0)
            a.set_life_count(1000)
            a.set_cover(4)
            a.set_supplies([("Black Toner", 100, 80), ("Cyan Toner", 100, 60), ("Waste Toner Box", 100, 90, 4, 4)])
            a.set_alerts([])
            a.start()
        sets = [
            "monitoring.interval_s=%d" % INTERVAL,
            "monitoring.busy_interval_s=1",
            "monitoring.jitter_percent=0",
            "monitoring.timeout_ms=300",
            "monitoring.retries=0",
            "monitoring.offline_after=2",
            "monitoring.max_backoff_s=5",
            "monitoring.snapshot_s=60",
            "printers.lab1.device_uri=file://${data_dir}/sink/lab1",
            "printers.lab1.snmp_address=127.0.0.1:%d" % cls.agent1.port,
            "printers.lab2.device_uri=file://${data_dir}/sink/lab2",
            "printers.lab2.snmp_address=127.0.0.1:%d" % cls.agent2.port,
            'printers.lab2.snmp_version=1',
            "printers.lab3.device_uri=file://${data_dir}/sink/lab3",
            "printers.lab3.snmp_address=127.0.0.1:%d" % cls.agent1.port,
            'printers.lab3.snmp_community=not-the-community',
            'queues.direct1.type=direct',
            'queues.direct1.printers=["lab1"]',
            'queues.direct2.type=direct',
            'queues.direct2.printers=["lab2"]',
            'queues.direct3.type=direct',
            'queues.direct3.printers=["lab3"]',
            'queues.secure.printers=["lab1", "demo"]',
        ]
        cls.server = Quired(sets=sets + ["api.allow_plain_loopback=true"])
        cls.server.add_admin("root", ROOT_PASSWORD)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)
        for a in (cls.agent1, cls.agent2):
            a.cleanup()

    # --- helpers ---------------------------------------------------------------------

    def attrs(self, queue, *names):
        status, got = printer_attributes(self.server, queue, *names)
        self.assertEqual(status, "successful-ok")
        return got

    def reasons(self, queue):
        return self.attrs(queue, "printer-state-reasons")["printer-state-reasons"]

    def state(self, queue):
        got = self.attrs(queue, "printer-state", "printer-state-reasons", "printer-state-message")
        return got["printer-state"][0], got["printer-state-reasons"], got.get("printer-state-message", [""])[0]

    def wait_reasons(self, queue, want, timeout=WAIT):
        ok = wait_for(lambda: want(self.reasons(queue)), timeout=timeout, interval=0.25)
        self.assertTrue(ok, "%s: reasons now %s" % (queue, self.reasons(queue)))

    def ipp(self, op, queue, user, extra=b"", subscriptions=()):
        c = Client(self.server.address)
        try:
            status, data = c.post(request(op, self.server.uri(queue), user, extra_op=extra,
                                          subscriptions=subscriptions), "/ipp/print/" + queue)
        finally:
            c.close()
        self.assertEqual(status, 200)
        return parse_groups(data)

    def print_job(self, queue, user="alice"):
        c = Client(self.server.address)
        try:
            status, got = c.print_job(self.server.uri(queue), PDF, user=user, name="monitored")
        finally:
            c.close()
        self.assertEqual(status, "successful-ok")
        return got["job-id"][0]

    def job_state(self, queue, job_id, user="alice"):
        status, groups = self.ipp("Get-Job-Attributes", queue, user, attr("integer", "job-id", job_id))
        job = {}
        for tag, g in groups:
            if tag == 0x02:
                job = g
        return job.get("job-state", [0])[0], job.get("job-state-message", [""])[0]

    def admin(self, path, user="root", password=ROOT_PASSWORD):
        host, port = self.server.address.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        auth = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        conn.request("GET", path, headers={"Authorization": "Basic " + auth})
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        return r.status, (json.loads(raw) if raw else None)

    # --- tests ---------------------------------------------------------------------

    def test_admin_api_shows_the_device_and_its_counter_snapshots(self):
        ok = wait_for(lambda: (self.admin("/api/v1/printers/lab1")[1] or {}).get("device", {}).get("online"),
                      timeout=WAIT, interval=0.25)
        status, p = self.admin("/api/v1/printers/lab1")
        self.assertTrue(ok, p)
        self.assertEqual(status, 200)
        d = p["device"]
        self.assertEqual(d["serial"], "QX-0001")
        self.assertEqual(d["name"], "lab1-device")
        self.assertEqual(d["address"], "127.0.0.1:%d" % self.agent1.port)
        self.assertGreaterEqual(d["life_count"], 1000)
        self.assertEqual([x["description"] for x in d["supplies"]], ["Black Toner", "Cyan Toner", "Waste Toner Box"])
        self.assertEqual(d["supplies"][0]["percent"], 80)
        self.assertNotIn("device_uri", p)  # it may carry credentials
        # The first answer after start is snapshot, durably.
        self.assertTrue(wait_for(lambda: self.admin("/api/v1/printers/lab1/counters")[1]["counters"], timeout=5))
        status, c = self.admin("/api/v1/printers/lab1/counters")
        self.assertEqual(status, 200)
        self.assertEqual(c["counters"][0]["serial"], "QX-0001")
        self.assertGreaterEqual(c["counters"][0]["life_count"], 1000)
        # Every printer is listed; an unmonitored one says so.
        status, all_ = self.admin("/api/v1/printers")
        by_name = {x["name"]: x for x in all_["printers"]}
        self.assertEqual(sorted(by_name), ["demo", "lab1", "lab2", "lab3"])
        self.assertFalse(by_name["demo"]["device"]["monitored"])
        # Students see none of it.
        status, _ = self.admin("/api/v1/printers", user="nobody", password="x")
        self.assertEqual(status, 401)

    def test_a_healthy_device_shows_its_supplies(self):
        self.wait_reasons("direct1", lambda r: r == ["none"])
        want = "printer-supply"
        ok = wait_for(lambda: any("level=80" in s for s in self.attrs("direct1", want).get(want, [])), timeout=WAIT,
                      interval=0.25)
        got = self.attrs("direct1", "printer-supply", "printer-supply-description", "printer-state")
        self.assertTrue(ok, got)
        self.assertEqual(got["printer-state"], [3])
        self.assertEqual(got["printer-supply-description"], ["Black Toner", "Cyan Toner", "Waste Toner Box"])
        self.assertIn("class=receptacleThatIsFilled;type=wasteToner", got["printer-supply"][2])
        self.assertIn("type=toner;unit=percent;maxcapacity=100;level=60;", got["printer-supply"][1])

    def test_snmpv1_device_is_walked_with_getnext(self):
        want = "printer-supply-description"
        ok = wait_for(lambda: self.attrs("direct2", want).get(want) == ["Black Toner", "Cyan Toner", "Waste Toner Box"],
                      timeout=WAIT, interval=0.25)
        self.assertTrue(ok, self.attrs("direct2", want))
        self.agent2.set_supplies([("Black Toner", 100, 5), ("Cyan Toner", 100, 60), ("Waste Toner Box", 100, 90, 4, 4)])
        self.wait_reasons("direct2", lambda r: r == ["marker-supply-low-report"])
        self.agent2.set_supplies([("Black Toner", 100, 80), ("Cyan Toner", 100, 60), ("Waste Toner Box", 100, 90, 4, 4)])
        self.wait_reasons("direct2", lambda r: r == ["none"])

    def test_jam_stops_the_printer_refuses_release_and_is_announced(self):
        self.wait_reasons("direct1", lambda r: r == ["none"])
        sub = self.subscribe("direct1")
        held = self.print_job("secure")
        self.agent1.set_error_state(error_bits("jammed", "lowToner"))
        self.agent1.set_alerts([(3, 8, "Paper jam in tray 2")])
        self.wait_reasons("direct1", lambda r: "media-jam-error" in r)
        state, reasons, message = self.state("direct1")
        self.assertEqual(state, 5)
        self.assertEqual(sorted(reasons), ["media-jam-error", "toner-low-warning"])
        self.assertIn("paper jam", message)
        # The pull queue can still print elsewhere (demo): a warning there.
        self.assertIn("media-jam-warning", self.reasons("secure"))
        # Other printers are untouched.
        self.assertEqual(self.reasons("direct2"), ["none"])

        # Release at the jammed printer (the pull queue's first) is refused, with the reason.
        status, groups = self.ipp("Release-Job", "secure", "alice", attr("integer", "job-id", held))
        self.assertNotEqual(status, "successful-ok")
        text = " ".join(str(v) for _, g in groups for v in g.get("status-message", []))
        self.assertIn("lab1", text)
        self.assertIn("paper jam", text)
        self.assertEqual(self.job_state("secure", held)[0], 4)  # still held

        # The change reached the event flow: an IPP printer subscription sees it.
        events = self.notifications("direct1", sub)
        jam = [e for e in events if "media-jam-error" in e.get("printer-state-reasons", [])]
        self.assertTrue(jam, events)
        self.assertEqual(jam[-1]["printer-state"], [5])

        # Cleared: the printer works again and the job prints there.
        self.agent1.set_error_state(0)
        self.agent1.set_alerts([])
        self.wait_reasons("direct1", lambda r: r == ["none"])
        status, _ = self.ipp("Release-Job", "secure", "alice", attr("integer", "job-id", held))
        self.assertEqual(status, "successful-ok")
        self.assertTrue(wait_for(lambda: self.job_state("secure", held)[0] == 9, timeout=30),
                        self.job_state("secure", held))

    def test_jobs_wait_while_the_device_cannot_print(self):
        self.wait_reasons("direct1", lambda r: r == ["none"])
        self.agent1.set_cover(3)  # a cover open
        self.wait_reasons("direct1", lambda r: "door-open-error" in r)
        job = self.print_job("direct1")
        time.sleep(1.5)
        state, message = self.job_state("direct1", job)
        self.assertIn(state, (3, 5))  # pending or processing: not printed, not failed
        self.agent1.set_cover(4)
        self.assertTrue(wait_for(lambda: self.job_state("direct1", job)[0] == 9, timeout=WAIT),
                        self.job_state("direct1", job))

    def test_a_silent_device_goes_offline_and_comes_back(self):
        self.wait_reasons("direct2", lambda r: r == ["none"])
        self.agent2.set_silent(True)
        try:
            self.wait_reasons("direct2", lambda r: "offline-report" in r, timeout=4 * INTERVAL + 10)
            state, _, message = self.state("direct2")
            self.assertEqual(state, 3)  # silence is not an error the device reported
            self.assertIn("does not answer", message)
            # Release is not refused for silence: delivery decides.
        finally:
            self.agent2.set_silent(False)
        self.wait_reasons("direct2", lambda r: r == ["none"], timeout=2 * INTERVAL + 10)

    def test_a_wrong_community_is_a_silent_device(self):
        # lab3 asks lab1's agent with a community it does not know: no answer.
        self.wait_reasons("direct3", lambda r: "offline-report" in r, timeout=4 * INTERVAL + 10)
        self.assertIsNone(self.server.proc.poll())
        self.assertNotIn("offline-report", self.reasons("direct1"))

    # --- notifications -------------------------------------------------------------

    def subscribe(self, queue):
        g = attr("keyword", "notify-pull-method", "ippget") + attr("keyword", "notify-events", "printer-state-changed")
        status, groups = self.ipp("Create-Printer-Subscriptions", queue, "alice", subscriptions=[g])
        self.assertIn(status, ("successful-ok", "successful-ok-ignored-or-substituted-attributes"))
        return [g for t, g in groups if t == 0x06][0]["notify-subscription-id"][0]

    def notifications(self, queue, sub_id):
        extra = attr("integer", "notify-subscription-ids", sub_id) + attr("integer", "notify-sequence-numbers", 1)
        status, groups = self.ipp("Get-Notifications", queue, "alice", extra)
        self.assertEqual(status, "successful-ok")
        return [g for t, g in groups if t == 0x07]


if __name__ == "__main__":
    unittest.main()
