// users_fill: writes a large user population, each user with one campus
// card, into a data folder, as quired would have left it, for benchmarks
// that need one (card_login_bench.py: a card login among 1,000,000 users).
//
//   users_fill DATA_DIR USERS
//
// User i (0..USERS-1) is "u<i>", display name "User <i>", group "students",
// no password, made now. Their card number is 10 digits:
//
//   card(i) = 1000000000 + (i * 7919) mod 9000000000
//
// 7919 is prime and does not divide 9000000000 (= 2^7 3^2 5^9), so i -> card
// is one-to-one for i < 9000000000: every card is unique. Digits only, so
// normalise_card (actors/auth_rules.hpp: trim, upper-case) leaves it as it
// is. card_login_bench.py computes the same formula. Batches of 10,000 users
// are committed one after the other, each synced. Prints the time it took.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>

#include "storage/store.hpp"

using namespace quire;

namespace {

status commit_sync(store& st, write_batch b) {
  std::promise<status> p;
  auto f = p.get_future();
  st.commit(std::move(b), [&p](const status& s) { p.set_value(s); });
  return f.get();
}

std::string card_of(uint64_t i) { return std::to_string(1000000000ULL + (i * 7919ULL) % 9000000000ULL); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return std::fprintf(stderr, "usage: users_fill DATA_DIR USERS\n"), 2;
  std::string dir = argv[1];
  uint64_t users = std::strtoull(argv[2], nullptr, 10);
  if (users == 0 || users > 9000000000ULL)
    return std::fprintf(stderr, "USERS must be between 1 and 9000000000\n"), 2;
  auto t0 = std::chrono::steady_clock::now();
  auto st = store::open({dir});
  if (!st.ok()) return std::fprintf(stderr, "%s\n", st.err().describe().c_str()), 1;
  int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  constexpr uint64_t per_batch = 10000;
  for (uint64_t k = 0; k < users; k += per_batch) {
    write_batch b;
    for (uint64_t i = k; i < k + per_batch && i < users; ++i) {
      user_record u;
      u.name.append("u").append(std::to_string(i));
      u.display_name.append("User ").append(std::to_string(i));
      u.groups = {"students"};
      u.created_ms = u.updated_ms = now_ms;
      b.put_user(u);
      b.put_credential(credential_kind::card, (*st)->credential_key(credential_kind::card, card_of(i)), u.name);
    }
    if (auto s = commit_sync(**st, std::move(b))) return std::fprintf(stderr, "%s\n", s.describe().c_str()), 1;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("users_fill: %llu users u0..u%llu with one card each (card(i) = 1000000000 + i*7919 mod 9000000000), "
              "%.1f s\n",
              static_cast<unsigned long long>(users), static_cast<unsigned long long>(users - 1), s);
  return 0;
}
