"""GET /metrics, end to end: who may scrape (401 without credentials or with
a wrong token, 403 for a user who is no administrator, 200 for an
administrator or the api.metrics_token bearer), the content type, every line
checked by a strict parser of the Prometheus text format 0.0.4, and the
figures moving: a job printed through the demo queue counts as received and
printed, a release from the pull queue lands in the latency histogram, the
demo printer is in exactly one state."""
import base64
import http.client
import math
import re
import time
import unittest

from quire_harness import SAMPLE_PDF, Client, Quired, attr, request, wait_for
from ws_client import WsClient

ROOT_PASSWORD = "s3cret-root-pw"
TOKEN = "scrape-0123456789abcdef-token"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


# --- a strict parser of the text format ---------------------------------------

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
FLOAT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


class FormatError(Exception):
    pass


def parse_value(text, where):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not FLOAT.match(text):
        raise FormatError("%s: bad value %r" % (where, text))
    return float(text)


def unescape(text, allowed, where):
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            if i + 1 == len(text) or text[i + 1] not in allowed:
                raise FormatError("%s: bad escape in %r" % (where, text))
            out.append({"\\": "\\", '"': '"', "n": "\n"}[text[i + 1]])
            i += 2
        else:
            if c == "\n":
                raise FormatError("%s: raw newline" % where)
            out.append(c)
            i += 1
    return "".join(out)


def parse_labels(text, where):
    """`a="x",b="y"` (a trailing comma allowed) -> dict; text is inside the braces."""
    labels, i = {}, 0
    while i < len(text):
        eq = text.find("=", i)
        if eq < 0:
            raise FormatError("%s: label without '='" % where)
        name = text[i:eq]
        if not LABEL_NAME.match(name) or name.startswith("__"):
            raise FormatError("%s: bad label name %r" % (where, name))
        if name in labels:
            raise FormatError("%s: label %s twice" % (where, name))
        if eq + 1 >= len(text) or text[eq + 1] != '"':
            raise FormatError("%s: label value not quoted" % where)
        j, raw = eq + 2, []
        while True:
            if j >= len(text):
                raise FormatError("%s: unterminated label value" % where)
            if text[j] == "\\":
                raw.append(text[j:j + 2])
                j += 2
                continue
            if text[j] == '"':
                break
            raw.append(text[j])
            j += 1
        labels[name] = unescape("".join(raw), '\\"n', where)
        i = j + 1
        if i < len(text):
            if text[i] != ",":
                raise FormatError("%s: expected ',' between labels" % where)
            i += 1
    return labels


def parse_sample(line, where):
    brace = line.find("{")
    space = line.find(" ")
    if brace >= 0 and (space < 0 or brace < space):
        name = line[:brace]
        close = brace + 1
        in_quotes = False
        while close < len(line):  # the closing brace outside a quoted value
            c = line[close]
            if c == "\\" and in_quotes:
                close += 2
                continue
            if c == '"':
                in_quotes = not in_quotes
            elif c == "}" and not in_quotes:
                break
            close += 1
        if close >= len(line):
            raise FormatError("%s: unclosed '{'" % where)
        labels = parse_labels(line[brace + 1:close], where)
        rest = line[close + 1:]
    else:
        name, labels, rest = line[:space], {}, line[space:]
    if not METRIC_NAME.match(name):
        raise FormatError("%s: bad metric name %r" % (where, name))
    if not rest.startswith(" ") or rest.startswith("  "):
        raise FormatError("%s: expected one space before the value" % where)
    fields = rest[1:].split(" ")
    if len(fields) not in (1, 2) or (len(fields) == 2 and not re.match(r"-?\d+\Z", fields[1])):
        raise FormatError("%s: expected a value and an optional timestamp" % where)
    return name, labels, parse_value(fields[0], where)


def parse_exposition(text):
    """Checks every line of `text`; returns {family: {"type", "help", "samples": [(name, labels, value)]}}."""
    if not text.endswith("\n"):
        raise FormatError("the text must end with a newline")
    families, current, closed = {}, None, set()
    for n, line in enumerate(text[:-1].split("\n"), 1):
        where = "line %d (%r)" % (n, line)
        if line == "":
            raise FormatError("%s: empty line" % where)
        if line.startswith("#"):
            m = re.match(r"# (HELP|TYPE) (\S+) ?(.*)\Z", line, re.S)
            if not m:
                raise FormatError("%s: a comment other than HELP or TYPE" % where)
            kind, name, rest = m.groups()
            if not METRIC_NAME.match(name):
                raise FormatError("%s: bad metric name" % where)
            if name in closed:
                raise FormatError("%s: family %s is split" % (where, name))
            if current is not None and current != name:
                closed.add(current)
            current = name
            fam = families.setdefault(name, {"type": None, "help": None, "samples": []})
            if fam["samples"]:
                raise FormatError("%s: %s after the family's samples" % (where, kind))
            if kind == "HELP":
                if fam["help"] is not None:
                    raise FormatError("%s: second HELP" % where)
                fam["help"] = unescape(rest, "\\n", where)
            else:
                if fam["type"] is not None or rest not in TYPES:
                    raise FormatError("%s: second or unknown TYPE" % where)
                fam["type"] = rest
            continue
        name, labels, value = parse_sample(line, where)
        fam_name = current
        fam = families.get(fam_name) if fam_name else None
        suffixes = ("_bucket", "_sum", "_count") if fam and fam["type"] == "histogram" else ()
        if fam is None or fam["type"] is None or not (name == fam_name or any(name == fam_name + s for s in suffixes)):
            raise FormatError("%s: sample outside its family (TYPE first)" % where)
        if name == fam_name + "_bucket" and fam["type"] == "histogram" and "le" not in labels:
            raise FormatError("%s: a bucket without le" % where)
        if fam["type"] == "histogram" and name == fam_name:
            raise FormatError("%s: a histogram has only _bucket, _sum and _count samples" % where)
        if fam["type"] == "counter" and not value >= 0:
            raise FormatError("%s: a counter below 0" % where)
        key = (name, tuple(sorted(labels.items())))
        if any((s[0], tuple(sorted(s[1].items()))) == key for s in fam["samples"]):
            raise FormatError("%s: the same series twice" % where)
        fam["samples"].append((name, labels, value))
    for name, fam in families.items():
        if fam["type"] == "histogram":
            check_histogram(name, fam["samples"])
    return families


def check_histogram(name, samples):
    buckets = [(s[1].get("le"), s[2]) for s in samples if s[0] == name + "_bucket"]
    counts = [s[2] for s in samples if s[0] == name + "_count"]
    sums = [s[2] for s in samples if s[0] == name + "_sum"]
    if not buckets or buckets[-1][0] != "+Inf" or len(counts) != 1 or len(sums) != 1:
        raise FormatError("histogram %s: needs buckets ending in le=\"+Inf\", one _sum and one _count" % name)
    bounds = [parse_value(le, name) for le, _ in buckets]
    if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
        raise FormatError("histogram %s: bounds must ascend" % name)
    values = [v for _, v in buckets]
    if values != sorted(values):
        raise FormatError("histogram %s: buckets must be cumulative" % name)
    if values[-1] != counts[0]:
        raise FormatError("histogram %s: le=\"+Inf\" must equal _count" % name)


def value_of(families, name, **labels):
    """The one sample `name` with exactly `labels`; a histogram's _sum and _count too."""
    family = families.get(name) or families[re.sub(r"_(sum|count|bucket)\Z", "", name)]
    found = [s[2] for s in family["samples"] if s[0] == name and s[1] == labels]
    if len(found) != 1:
        raise KeyError("%s%r: %d samples" % (name, labels, len(found)))
    return found[0]


class ParserSelfTest(unittest.TestCase):
    """The parser refuses what a scraper would (so that passing means something)."""

    def test_refusals(self):
        good = "# HELP a x\n# TYPE a counter\na 1\n"
        parse_exposition(good)
        for bad in ["a 1\n", "# TYPE a counter\na 1", "# TYPE a counter\na{b=\"x} 1\n",
                    "# TYPE a gauge\na{b=\"\\q\"} 1\n", "# TYPE a gauge\na 1\na 2\n", "# TYPE a gauge\na x\n",
                    "# TYPE a gauge\n\na 1\n", "# TYPE a gauge\na{1b=\"x\"} 1\n", "# TYPE a gauge\nb 1\n",
                    "# TYPE a counter\na -1\n", "# a comment\n",
                    "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 0\nh_count 1\n",
                    "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 0\nh_count 1\n"]:
            with self.assertRaises(FormatError, msg=bad):
                parse_exposition(bad)
        fams = parse_exposition('# TYPE a gauge\na{p="x\\"y\\\\z\\n",s="}"} 2.5e-3\n')
        self.assertEqual(fams["a"]["samples"], [("a", {"p": 'x"y\\z\n', "s": "}"}, 0.0025)])


# --- the server -----------------------------------------------------------------

class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Quired(sets=["api.allow_plain_loopback=true", "api.metrics_token=" + TOKEN])
        cls.server.add_admin("root", ROOT_PASSWORD)
        cls.server.start()
        status, _ = cls.call("POST", "/api/v1/users", cls.basic("root", ROOT_PASSWORD),
                             '{"name": "alice", "password": "alice-pw-123"}')
        assert status == 201, status

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    @staticmethod
    def basic(user, password):
        return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()}

    @classmethod
    def call(cls, method, path, headers=None, body=None, full=False):
        host, port = cls.server.address.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        h = dict(headers or {})
        if body is not None:
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        return (r, raw) if full else (r.status, raw)

    def scrape(self, headers=None):
        r, raw = self.call("GET", "/metrics", headers or self.basic("root", ROOT_PASSWORD), full=True)
        self.assertEqual(r.status, 200, raw)
        self.assertEqual(r.getheader("Content-Type"), CONTENT_TYPE)
        return parse_exposition(raw.decode("utf-8"))

    def test_who_may_scrape(self):
        r, raw = self.call("GET", "/metrics", full=True)
        self.assertEqual(r.status, 401, raw)
        challenges = r.msg.get_all("WWW-Authenticate")
        self.assertTrue(any(c.startswith("Basic ") for c in challenges), challenges)
        self.assertTrue(any(c.startswith("Bearer ") for c in challenges), challenges)
        self.assertNotIn(b"quire_", raw)
        self.assertEqual(self.call("GET", "/metrics", self.basic("root", "wrong-password"))[0], 401)
        status, raw = self.call("GET", "/metrics", self.basic("alice", "alice-pw-123"))
        self.assertEqual(status, 403, raw)
        self.assertNotIn(b"quire_", raw)
        for token in ("wrong-token-0123456789abcdef", TOKEN + "x", TOKEN[:-1], "short"):
            status, raw = self.call("GET", "/metrics", {"Authorization": "Bearer " + token})
            self.assertEqual(status, 401, (token, raw))
        self.assertEqual(self.call("GET", "/metrics", {"Authorization": "Digest x"})[0], 401)
        self.scrape()
        self.scrape({"Authorization": "Bearer " + TOKEN})
        self.scrape({"Authorization": "bearer " + TOKEN})

    def test_every_family_and_the_printer_state(self):
        fams = self.scrape({"Authorization": "Bearer " + TOKEN})
        for name, kind in [("quire_build_info", "gauge"), ("quire_jobs_received_total", "counter"),
                           ("quire_jobs_printed_total", "counter"), ("quire_jobs_failed_total", "counter"),
                           ("quire_jobs_canceled_total", "counter"), ("quire_jobs_expired_total", "counter"),
                           ("quire_jobs", "gauge"), ("quire_printer_state", "gauge"),
                           ("quire_printer_online", "gauge"), ("quire_release_latency_seconds", "histogram"),
                           ("quire_storage_bytes", "gauge"), ("quire_storage_commit_groups_total", "counter"),
                           ("quire_http_connections", "gauge"), ("quire_websocket_clients", "gauge")]:
            self.assertIn(name, fams)
            self.assertEqual(fams[name]["type"], kind, name)
            self.assertTrue(fams[name]["help"], name)
        self.assertEqual([s[1]["version"] for s in fams["quire_build_info"]["samples"]], ["0.1.0"])
        states = {s[1]["state"]: s[2] for s in fams["quire_printer_state"]["samples"] if s[1]["printer"] == "demo"}
        self.assertEqual(sorted(states), ["idle", "processing", "stopped"])
        self.assertEqual(sum(states.values()), 1, states)
        self.assertEqual(fams["quire_printer_online"]["samples"], [])  # the demo printer is a file sink: not polled
        self.assertEqual(sorted(s[1]["state"] for s in fams["quire_jobs"]["samples"]),
                         ["analysing", "delivering", "held", "queued", "receiving"])
        self.assertGreaterEqual(value_of(fams, "quire_http_connections"), 1)
        bounds = [s[1]["le"] for s in fams["quire_release_latency_seconds"]["samples"] if "le" in s[1]]
        self.assertEqual(bounds[0], "0.005")
        self.assertEqual(bounds[-2:], ["10", "+Inf"])

    def test_websocket_clients_are_counted(self):
        def clients():
            return value_of(self.scrape({"Authorization": "Bearer " + TOKEN}), "quire_websocket_clients")

        before = clients()
        streams = [WsClient(self.server.address, auth=("root", ROOT_PASSWORD)) for _ in range(2)]
        for ws in streams:
            self.assertEqual(ws.read_json()["type"], "hello")
        self.assertEqual(clients(), before + 2)
        for ws in streams:
            ws.close()
        self.assertTrue(wait_for(lambda: clients() == before, timeout=5))

    def print_job(self, queue, user="bob"):
        c = Client(self.server.address)
        with open(SAMPLE_PDF, "rb") as f:
            status, attrs = c.print_job(self.server.uri(queue), f.read(), user=user)
        c.close()
        self.assertEqual(status, "successful-ok")
        return attrs["job-id"][0]

    def test_a_printed_job_moves_the_counters(self):
        before = self.scrape()
        self.print_job("demo")
        total = lambda fams, name: value_of(fams, name)
        self.assertTrue(wait_for(lambda: total(self.scrape(), "quire_jobs_printed_total") >=
                                 total(before, "quire_jobs_printed_total") + 1, 30))
        after = self.scrape()
        self.assertEqual(total(after, "quire_jobs_received_total"), total(before, "quire_jobs_received_total") + 1)
        self.assertEqual(total(after, "quire_jobs_printed_total"), total(before, "quire_jobs_printed_total") + 1)
        self.assertEqual(total(after, "quire_jobs_failed_total"), total(before, "quire_jobs_failed_total"))
        self.assertGreater(total(after, "quire_storage_bytes"), 0)
        self.assertGreater(total(after, "quire_storage_commit_groups_total"),
                           total(before, "quire_storage_commit_groups_total"))

    def test_a_release_is_timed_and_a_held_job_counted(self):
        before = self.scrape()
        job = self.print_job("secure", user="alice")
        self.assertTrue(wait_for(lambda: value_of(self.scrape(), "quire_jobs", state="held") >=
                                 value_of(before, "quire_jobs", state="held") + 1, 30))
        c = Client(self.server.address)
        status, _ = c.ipp(request("Release-Job", self.server.uri("secure"), "alice",
                                  extra_op=attr("integer", "job-id", job)))
        c.close()
        self.assertEqual(status, "successful-ok")
        after = self.scrape()
        self.assertEqual(value_of(after, "quire_release_latency_seconds_count"),
                         value_of(before, "quire_release_latency_seconds_count") + 1)
        self.assertGreater(value_of(after, "quire_release_latency_seconds_sum"),
                           value_of(before, "quire_release_latency_seconds_sum"))
        self.assertTrue(wait_for(lambda: value_of(self.scrape(), "quire_jobs", state="held") ==
                                 value_of(before, "quire_jobs", state="held"), 30))

    def test_scrape_duration(self):
        headers = {"Authorization": "Bearer " + TOKEN}
        times = []
        for _ in range(20):
            t = time.perf_counter()
            self.scrape(headers)
            times.append(time.perf_counter() - t)
        times.sort()
        print("\nmetrics: one scrape (bearer, demo fleet, new connection): median %.2f ms, max %.2f ms"
              % (times[len(times) // 2] * 1000, times[-1] * 1000))
        self.assertLess(times[len(times) // 2], 1.0)


class MetricsWithoutToken(unittest.TestCase):
    def test_a_bearer_token_is_refused_when_none_is_configured(self):
        with Quired(sets=["api.allow_plain_loopback=true"]) as server:
            host, port = server.address.rsplit(":", 1)
            for headers in ({"Authorization": "Bearer " + TOKEN}, {}):
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                conn.request("GET", "/metrics", headers=headers)
                r = conn.getresponse()
                r.read()
                conn.close()
                self.assertEqual(r.status, 401)
                self.assertEqual(r.msg.get_all("WWW-Authenticate"), ['Basic realm="Quire", charset="UTF-8"'])

    def test_plain_http_is_refused_unless_loopback_is_allowed(self):
        with Quired(sets=["api.metrics_token=" + TOKEN]) as server:
            host, port = server.address.rsplit(":", 1)
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.request("GET", "/metrics", headers={"Authorization": "Bearer " + TOKEN})
            r = conn.getresponse()
            raw = r.read()
            conn.close()
            self.assertEqual(r.status, 403, raw)
            self.assertIn(b"https_required", raw)


if __name__ == "__main__":
    unittest.main()
