#include <doctest/doctest.h>

#include "actors/monitor_rules.hpp"

using namespace quire;

TEST_CASE("monitor rules: an answering idle device is polled every interval, with jitter") {
  monitor_schedule s;
  s.interval_ms = 60'000;
  s.jitter_percent = 10;
  // Never longer than the interval: a change is seen within one.
  CHECK(next_poll_delay(s, false, 0, 0.0) == 60'000);
  CHECK(next_poll_delay(s, false, 0, 0.5) == 57'000);
  CHECK(next_poll_delay(s, false, 0, 0.999999) == 54'000);
  s.jitter_percent = 0;
  CHECK(next_poll_delay(s, false, 0, 0.9) == 60'000);
  s.jitter_percent = 90;  // clamped to 50
  CHECK(next_poll_delay(s, false, 0, 0.999999) == 30'000);
}

TEST_CASE("monitor rules: a delivering printer polls faster, never slower") {
  monitor_schedule s;
  s.interval_ms = 60'000;
  s.busy_interval_ms = 15'000;
  s.jitter_percent = 0;
  CHECK(next_poll_delay(s, true, 0, 0.5) == 15'000);
  s.busy_interval_ms = 120'000;
  CHECK(next_poll_delay(s, true, 0, 0.5) == 60'000);
}

TEST_CASE("monitor rules: a silent device is asked less and less often, up to the cap") {
  monitor_schedule s;
  s.interval_ms = 60'000;
  s.max_backoff_ms = 600'000;
  s.jitter_percent = 0;
  CHECK(next_poll_delay(s, false, 1, 0.5) == 120'000);
  CHECK(next_poll_delay(s, false, 2, 0.5) == 240'000);
  CHECK(next_poll_delay(s, false, 3, 0.5) == 480'000);
  CHECK(next_poll_delay(s, false, 4, 0.5) == 600'000);
  CHECK(next_poll_delay(s, true, 40, 0.5) == 600'000);  // busy does not hurry a silent one
}

TEST_CASE("monitor rules: first polls spread over one interval") {
  monitor_schedule s;
  s.interval_ms = 60'000;
  CHECK(first_poll_delay(s, 0.0) == 0);
  CHECK(first_poll_delay(s, 0.5) == 30'000);
  CHECK(first_poll_delay(s, 0.999) < 60'000);
}

TEST_CASE("monitor rules: a page counter going backwards is not believed") {
  devices::device_status now;
  now.has_life_count = true;
  now.life_count = 900;
  now.serial = std::string(1, 'A');
  now.uptime_cs = 5000;
  auto d = judge_counter(true, 1000, "A", 4000, now);
  CHECK(d.keep == 1000);
  CHECK_FALSE(d.changed);
  CHECK(d.warning.find("went back") != std::string::npos);
  // After a restart, or on another device, it starts over.
  now.uptime_cs = 100;
  d = judge_counter(true, 1000, "A", 4000, now);
  CHECK(d.keep == 900);
  CHECK(d.changed);
  CHECK(d.warning.empty());
  now.uptime_cs = 5000;
  now.serial = std::string(1, 'B');
  CHECK(judge_counter(true, 1000, "A", 4000, now).keep == 900);
  // Forwards, and a first one.
  now.serial = std::string(1, 'A');
  now.life_count = 1010;
  d = judge_counter(true, 1000, "A", 4000, now);
  CHECK(d.keep == 1010);
  CHECK(d.changed);
  d = judge_counter(false, 0, "", 0, now);
  CHECK(d.changed);
  // A device that does not count keeps what was kept.
  now.has_life_count = false;
  d = judge_counter(true, 1000, "A", 4000, now);
  CHECK(d.keep == 1000);
  CHECK_FALSE(d.changed);
}

TEST_CASE("monitor rules: counter snapshots are taken first, on a new device, then at most every period") {
  CHECK(snapshot_due(false, 0, false, false, 1000, 900'000));
  CHECK(snapshot_due(true, 1000, false, true, 2000, 900'000));
  CHECK_FALSE(snapshot_due(true, 1000, true, false, 2000, 900'000));
  CHECK(snapshot_due(true, 1000, true, false, 901'000, 900'000));
  CHECK_FALSE(snapshot_due(true, 1000, false, false, 9'000'000, 900'000));
}

TEST_CASE("monitor rules: an offline printer shows offline-report and its last condition as report") {
  devices::device_status s;
  s.error_bits = devices::jammed | devices::low_toner;
  CHECK(printer_reasons(s, true, true, 10) == std::vector<std::string>{"media-jam-error", "toner-low-warning"});
  CHECK(printer_reasons(s, true, false, 10) ==
        std::vector<std::string>{"media-jam-report", "offline-report", "toner-low-report"});
  CHECK(printer_reasons(s, false, false, 10) == std::vector<std::string>{"offline-report"});
  CHECK(printer_reasons(s, false, true, 10).empty());
}

TEST_CASE("monitor rules: a queue's reasons merge its printers'") {
  CHECK(merge_reasons({{"media-jam-error", "toner-low-warning"}}) ==
        std::vector<std::string>{"media-jam-error", "toner-low-warning"});
  // One of two printers jammed: the queue can still print.
  CHECK(merge_reasons({{"media-jam-error"}, {}}) == std::vector<std::string>{"media-jam-warning"});
  CHECK(merge_reasons({{"media-jam-error"}, {"media-jam-error", "offline-report"}}) ==
        std::vector<std::string>{"media-jam-error", "offline-report"});
  CHECK(merge_reasons({}).empty());
}
