#include "mirror/twins/btyd_world.hpp"

#include <cmath>
#include <map>
#include <stdexcept>
#include <tuple>

#include "mirror/core/calendar.hpp"
#include "mirror/core/random.hpp"
#include "mirror/ingest/profile.hpp"
#include "mirror/twins/store_consent.hpp"
#include "shared_population.hpp"

namespace mirror::twins {

using core::DayOutcome;
using core::Purpose;
using core::RandomStream;

namespace {

using core::kDaysPerWeek;

// Membership of `segment` by customer id, from the store's /segments table.
std::vector<bool> segment_members(const std::string& path, const std::string& segment,
                                  const std::vector<std::string>& ids) {
  std::vector<bool> member(ids.size(), true);
  if (segment.empty()) return member;
  results::Table table;
  try {
    table = results::read_store_table(path, "/segments");
  } catch (const std::exception&) {
    throw std::runtime_error("the store has no segments; write them with `mirror segment " + path +
                             " --rules FILE`");
  }
  const results::Table::Column* column = nullptr;
  std::string names;
  for (const auto& c : table.columns) {
    if (c.name == segment) column = &c;
    if (c.name != "customer_id") names += (names.empty() ? "" : ", ") + c.name;
  }
  if (column == nullptr || column->numbers.empty())
    throw std::runtime_error("the store has no segment '" + segment + "' (it has: " + names + ")");
  const auto& segment_ids = table.columns.at(0).strings;
  std::map<std::string, bool> in;
  for (std::size_t i = 0; i < segment_ids.size(); ++i) in[segment_ids[i]] = column->numbers[i] != 0;
  for (std::size_t i = 0; i < ids.size(); ++i) member[i] = in[ids[i]];
  return member;
}

std::shared_ptr<const BtydPopulation> build_population(const std::string& path,
                                                       const std::string& variant,
                                                       const std::string& segment) {
  const results::StoreReader store(path);
  auto profiles = ingest::build_profiles(store, {});
  BtydScoreOptions options;
  options.model = variant;
  auto pop = std::make_shared<BtydPopulation>();
  pop->store_path = path;
  pop->segment = segment;
  pop->fit = add_btyd_scores(profiles.table, options);
  pop->start_day = profiles.calibration_end_day + 1;
  const auto& ids = profiles.table.columns.at(0).strings;
  const auto& x = profiles.table.numbers("frequency");
  const auto& t_x = profiles.table.numbers("t_x_weeks");
  const auto& t_cal = profiles.table.numbers("t_cal_weeks");
  const auto& m_x = profiles.table.numbers("repeat_monetary");
  const auto& alive = profiles.table.numbers("p_alive");
  const auto member = segment_members(path, segment, ids);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!(t_cal[i] > 0) || !member[i]) continue;
    pop->ids.push_back(ids[i]);
    pop->x.push_back(x[i]);
    pop->t_x.push_back(t_x[i]);
    pop->t_cal.push_back(t_cal[i]);
    pop->m_x.push_back(m_x[i]);
    pop->p_alive.push_back(alive[i]);
  }
  if (pop->ids.empty())
    throw std::runtime_error(segment.empty() ? "no customer has a calibration purchase"
                                             : "segment '" + segment + "' has no fitted customer");
  pop->consent = store_consent(store, profiles.calibration_end_day, pop->ids, &pop->consent_sources);
  return pop;
}

}  // namespace

std::shared_ptr<const BtydPopulation> load_btyd_population(const std::string& store_path,
                                                           const std::string& variant,
                                                           const std::string& segment) {
  return shared_population<BtydPopulation>(
      std::make_tuple(store_path, variant, segment),
      store_path + ": cannot build the BTYD population",
      [&] { return build_population(store_path, variant, segment); });
}

BtydWorld::BtydWorld(std::shared_ptr<const BtydPopulation> population, double gross_margin,
                     std::uint64_t seed, std::uint64_t first_customer, std::size_t count)
    : population_(std::move(population)),
      gross_margin_(gross_margin),
      seed_(seed),
      first_customer_(first_customer),
      bg_nbd_(population_->fit.model == "bg_nbd"),
      latent_(count) {
  if (first_customer + count > population_->size())
    throw std::invalid_argument("BTYD shard beyond the store's customers");
  const auto& fit = population_->fit;
  const auto& gg = fit.gamma_gamma.params;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t c = first_customer + i;
    const double x = population_->x[c];
    const double t_cal = population_->t_cal[c];
    RandomStream r(seed_, c, core::kNoDay, Purpose::population);
    auto& l = latent_[i];
    // Posterior given alive at the end of calibration: lambda ~ Gamma(r + x, alpha + T);
    // BG/NBD p ~ Beta(a, b + x); Pareto/NBD mu ~ Gamma(s, beta + T).
    l.alive = r.uniform() < population_->p_alive[c];
    double lambda = 0;
    if (bg_nbd_) {
      const auto& p = fit.bg_nbd.params;
      lambda = core::gamma_draw(r, p.r + x) / (p.alpha + t_cal);
      const double g1 = core::gamma_draw(r, p.a);
      const double g2 = core::gamma_draw(r, p.b + x);
      l.dropout = g1 / (g1 + g2);
    } else {
      const auto& p = fit.pareto_nbd.params;
      lambda = core::gamma_draw(r, p.r + x) / (p.alpha + t_cal);
      const double mu = core::gamma_draw(r, p.s) / (p.beta + t_cal);
      l.dropout = 1.0 - std::exp(-mu / kDaysPerWeek);
    }
    l.purchase_probability = 1.0 - std::exp(-lambda / kDaysPerWeek);
    if (fit.has_spend) {
      // Gamma-Gamma posterior of the spend rate: nu ~ Gamma(p x + q, gamma + m_x x).
      const double m = population_->m_x[c];
      const double xs = m > 0 ? x : 0.0;
      l.spend_rate = core::gamma_draw(r, gg.p * xs + gg.q) / (gg.gamma + (m > 0 ? m * xs : 0.0));
    }
  }
}

void BtydWorld::step(std::int32_t day, const core::TwinState* twins, const core::ContactLedger*,
                     const core::DayAction*, core::DayOutcome* outcomes) {
  const double spend_shape = population_->fit.gamma_gamma.params.p;
  for (std::size_t i = 0; i < latent_.size(); ++i) {
    DayOutcome out;
    const auto& l = latent_[i];
    if (!twins[i].active()) {
      outcomes[i] = out;
      continue;
    }
    if (!l.alive) {  // dropped out before the simulation starts
      out.flags = DayOutcome::kChurn;
      outcomes[i] = out;
      continue;
    }
    const std::uint64_t id = first_customer_ + i;
    if (RandomStream(seed_, id, day, Purpose::purchase).uniform() < l.purchase_probability) {
      out.flags |= DayOutcome::kVisit | DayOutcome::kPurchase;
      if (l.spend_rate > 0) {
        RandomStream r(seed_, id, day, Purpose::spend);
        const double amount = core::gamma_draw(r, spend_shape) / l.spend_rate;
        out.revenue = core::to_micros(amount);
        out.margin = core::to_micros(amount * gross_margin_);
      }
      if (bg_nbd_ && RandomStream(seed_, id, day, Purpose::churn).uniform() < l.dropout)
        out.flags |= DayOutcome::kChurn;
    }
    if (!bg_nbd_ && RandomStream(seed_, id, day, Purpose::churn).uniform() < l.dropout)
      out.flags |= DayOutcome::kChurn;
    outcomes[i] = out;
  }
}

}  // namespace mirror::twins
