#include "actors/report_service_adapter.hpp"

#include <unordered_map>

namespace quire {

namespace {

class store_report_service final : public web::report_service {
 public:
  store_report_service(caf::actor_system& sys, const store& st, web::money_format money)
      : sys_(sys), st_(st), money_(std::move(money)) {}

  void usage(const web::principal&, web::report_query q, web::usage_report_callback cb) override {
    const store* st = &st_;
    sys_.spawn<caf::detached>([st, q, money = money_, cb = std::move(cb)]() {
      result<web::usage_report> r = error{errc::internal, "reading the ledger failed"};
      try {
        std::unordered_map<std::string, std::vector<std::string>> groups;
        if (q.by == web::report_by::group)
          for (auto& u : st->list_users()) groups.emplace(u.name, std::move(u.groups));
        web::usage_tally tally(q, [&groups](const std::string& user) {
          auto it = groups.find(user);
          return it == groups.end() ? std::vector<std::string>{} : it->second;
        });
        st->for_each_ledger_entry(q.from_ms, q.to_ms, [&tally](const ledger_entry& e) {
          tally.add(e);
          return true;
        });
        r = std::move(tally).finish(money);
      } catch (const std::exception&) {
      }
      cb(std::move(r));
    });
  }

 private:
  caf::actor_system& sys_;
  const store& st_;
  web::money_format money_;
};

}  // namespace

std::unique_ptr<web::report_service> make_report_service(caf::actor_system& sys, const store& st,
                                                         web::money_format money) {
  return std::make_unique<store_report_service>(sys, st, std::move(money));
}

}  // namespace quire
