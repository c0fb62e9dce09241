// The one translation unit that holds doctest's runner for a test executable.
//
// CTest runs each test case by name (doctest_discover_tests passes
// --test-case=<name>). A name CTest cannot pass whole (one with a ';', which
// CMake splits lists at) would select no test case, and doctest calls a run
// of nothing a success: a test that cannot fail. So a run that was asked for
// test cases by name and ran none fails here, saying so.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <cstring>

namespace {

unsigned selected_cases = 0;

struct count_selected : doctest::IReporter {
  explicit count_selected(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& s) override { selected_cases = s.numTestCasesPassingFilters; }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("count_selected", 1, count_selected);

bool asks_by_name(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--test-case=", 12) == 0 || std::strncmp(argv[i], "-tc=", 4) == 0) return true;
  return false;
}

bool only_lists(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--list", 6) == 0 || std::strncmp(argv[i], "-l", 2) == 0 ||
        std::strncmp(argv[i], "--help", 6) == 0 || std::strncmp(argv[i], "-h", 2) == 0 ||
        std::strncmp(argv[i], "--version", 9) == 0 || std::strncmp(argv[i], "-v", 2) == 0 ||
        std::strncmp(argv[i], "--count", 7) == 0)
      return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // As in quired (actors/main.cpp): a write to a peer that has gone is an
  // error to handle, not a signal that kills the process. The LDAP client
  // relies on it (its TLS watchdog shuts a silent server's socket while
  // libldap may still write to it), as do the other clients under test.
  std::signal(SIGPIPE, SIG_IGN);
  doctest::Context context(argc, argv);
  int rc = context.run();
  if (context.shouldExit() || only_lists(argc, argv)) return rc;
  if (rc == 0 && asks_by_name(argc, argv) && selected_cases == 0) {
    std::fprintf(stderr, "no test case matched the name given (a ';' in a test name cuts it for CTest)\n");
    return 1;
  }
  return rc;
}
