// BTYD twins: a store's customers, each starting from its BTYD posterior after the
// calibration period and buying (and dropping out) as the fitted model says. Contacts have
// no effect in this model; it is the classic baseline the learned model must beat.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mirror/twins/behaviour_model.hpp"
#include "mirror/twins/btyd_scores.hpp"

namespace mirror::twins {

struct BtydPopulation {
  std::string store_path;
  std::string segment;                   // empty: every fitted customer
  BtydScoreReport fit;
  std::vector<std::string> ids;          // the store's customer ids
  std::vector<double> x, t_x, t_cal, m_x;  // calibration summaries (weeks; m_x NaN if none)
  std::vector<double> p_alive;
  std::vector<std::uint8_t> consent;     // at the calibration end (store_consent)
  std::string consent_sources;           // what the store said of it (store_consent)
  std::int32_t start_day = 0;            // calendar day (since 1970) of simulated day 0
  std::size_t size() const { return ids.size(); }
};

// Profiles the store's calibration period, fits the variant (bg_nbd or pareto_nbd) and
// Gamma-Gamma on every customer; the population is the fitted customers, or those of them
// in `segment` (a column of the store's /segments, written by `mirror segment`). Customers
// without a calibration purchase before its last day are left out. Loaded once per
// (path, variant, segment) in a process and shared by every shard.
// Throws std::runtime_error with the store's path on failure.
std::shared_ptr<const BtydPopulation> load_btyd_population(const std::string& store_path,
                                                           const std::string& variant,
                                                           const std::string& segment = "");

class BtydWorld : public BehaviourModel {
 public:
  BtydWorld(std::shared_ptr<const BtydPopulation> population, double gross_margin,
            std::uint64_t seed, std::uint64_t first_customer, std::size_t count);

  std::size_t size() const override { return latent_.size(); }
  std::uint64_t first_customer() const override { return first_customer_; }
  int segment(std::size_t) const override { return 0; }
  std::uint8_t initial_consent(std::size_t i) const override { return population_->consent[first_customer_ + i]; }
  void step(std::int32_t day, const core::TwinState* twins, const core::ContactLedger* ledgers,
            const core::DayAction* actions, core::DayOutcome* outcomes) override;

 private:
  // One customer's latent state, drawn from its posterior given the calibration period.
  struct Latent {
    double purchase_probability = 0;  // per day: 1 - exp(-lambda / 7)
    double dropout = 0;               // BG/NBD: per purchase; Pareto/NBD: per day
    double spend_rate = 0;            // Gamma-Gamma nu; 0 when the data has no amounts
    bool alive = false;               // at the end of the calibration period
  };
  std::shared_ptr<const BtydPopulation> population_;
  double gross_margin_;
  std::uint64_t seed_;
  std::uint64_t first_customer_;
  bool bg_nbd_;
  std::vector<Latent> latent_;
};

}  // namespace mirror::twins
