#include "mirror/results/compare.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "h5_io.hpp"
#include "mirror/results/results_file.hpp"
#include "mirror/results/stratified.hpp"
#include "moments.hpp"
#include "student_t.hpp"

namespace mirror::results {

namespace {

// Two-sided interval at `level` (0.95 = 95%).
double half_width(const Moments& m, double level) {
  if (m.n < 2) return 0.0;
  return student_t_quantile(0.5 + level / 2.0, static_cast<double>(m.n - 1)) *
         std::sqrt(m.variance() / static_cast<double>(m.n));
}

struct Difference {
  double mean = 0, low = 0, high = 0;
};

Difference welch(const Moments& a, const Moments& c, double level) {
  Difference d;
  d.mean = d.low = d.high = a.mean - c.mean;
  if (a.n < 2 || c.n < 2) return d;
  const double va = a.variance() / static_cast<double>(a.n);
  const double vc = c.variance() / static_cast<double>(c.n);
  const double se = std::sqrt(va + vc);
  if (se <= 0.0) return d;
  const double df = (va + vc) * (va + vc) /
                    (va * va / static_cast<double>(a.n - 1) + vc * vc / static_cast<double>(c.n - 1));
  const double h = student_t_quantile(0.5 + level / 2.0, df) * se;
  d.low = d.mean - h;
  d.high = d.mean + h;
  return d;
}

struct ArmData {
  std::string name, policy;
  std::vector<double> id, segment, value;
};

enum class Method { paired, welch, stratified };

// The difference a - c over customers with `keep` (paired: the same customers in the same
// order; welch: two samples; stratified: two samples, post-stratified by segment).
template <class Keep>
Difference difference(const ArmData& a, const ArmData& c, Method method, double level, Keep keep) {
  if (method == Method::stratified) {
    std::vector<double> va, vc;
    std::vector<std::int32_t> sa, sc;
    for (std::size_t i = 0; i < a.value.size(); ++i)
      if (keep(a, i)) {
        va.push_back(a.value[i]);
        sa.push_back(static_cast<std::int32_t>(a.segment[i]));
      }
    for (std::size_t i = 0; i < c.value.size(); ++i)
      if (keep(c, i)) {
        vc.push_back(c.value[i]);
        sc.push_back(static_cast<std::int32_t>(c.segment[i]));
      }
    const auto d = stratified_difference(va, sa, vc, sc, level);
    return {d.mean, d.low, d.high};
  }
  if (method == Method::paired) {
    if (a.id != c.id)
      throw std::invalid_argument("paired design: arms '" + a.name + "' and '" + c.name +
                                  "' hold different customers");
    Moments m;
    for (std::size_t i = 0; i < a.value.size(); ++i)
      if (keep(a, i)) m.add(a.value[i] - c.value[i]);
    const double h = half_width(m, level);
    return {m.mean, m.mean - h, m.mean + h};
  }
  Moments ma, mc;
  for (std::size_t i = 0; i < a.value.size(); ++i)
    if (keep(a, i)) ma.add(a.value[i]);
  for (std::size_t i = 0; i < c.value.size(); ++i)
    if (keep(c, i)) mc.add(c.value[i]);
  return welch(ma, mc, level);
}

}  // namespace

const std::vector<std::string>& comparable_metrics() {
  static const std::vector<std::string> kMetrics{
      "profit", "revenue", "margin", "cost", "conversions", "visits", "contacts",
      "unsubscribes", "active_at_end", "expected_profit"};
  return kMetrics;
}

Comparison compare_results(const std::string& path, const std::string& metric) {
  const auto& metrics = comparable_metrics();
  if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end())
    throw std::invalid_argument("unknown metric '" + metric + "'");
  Comparison out;
  out.path = path;
  out.metric = metric;
  std::vector<ArmData> arms;
  std::vector<std::string> segment_names;
  h5::read_file(path, "the results", [&](H5::H5File& f) {
    const auto meta = f.openGroup("/meta");
    out.design = h5::read_string_attribute(meta, "design");
    out.control = h5::read_string_attribute(meta, "control_arm");
    for (const auto& name : h5::read_strings_attribute(meta, "arms")) {
      ArmData a;
      a.name = name;
      const auto group = f.openGroup("/arms/" + name);
      if (group.attrExists("policy")) a.policy = h5::read_string_attribute(group, "policy");
      const std::string c = "/arms/" + name + "/customers/";
      a.id = h5::read_numbers<double>(f.openDataSet(c + "customer_id"), h5::kF64);
      a.segment = h5::read_numbers<double>(f.openDataSet(c + "segment"), h5::kF64);
      if (!f.nameExists(c + metric))
        throw std::invalid_argument("no column '" + metric + "' in " + path +
                                    (metric == "expected_profit"
                                         ? " (run the scenario with outputs.expected_value: true)"
                                         : ""));
      a.value = h5::read_numbers<double>(f.openDataSet(c + metric), h5::kF64);
      arms.push_back(std::move(a));
    }
    if (f.nameExists("/meta/world/segments/name"))
      segment_names = h5::read_strings(f.openDataSet("/meta/world/segments/name"));
    const auto numbers = [&](const std::string& d) {
      return h5::read_numbers<double>(f.openDataSet(d), h5::kF64);
    };
    if (f.nameExists("/qini")) {
      const auto arm = h5::read_strings(f.openDataSet("/qini/arm"));
      const auto score = h5::read_strings(f.openDataSet("/qini/score"));
      const auto t = numbers("/qini/auuc_true"), p = numbers("/qini/auuc_perfect"),
                 r = numbers("/qini/auuc_random"), z = numbers("/qini/auuc_realized"),
                 zr = numbers("/qini/auuc_realized_random");
      for (std::size_t i = 0; i < arm.size(); ++i)
        out.qini.push_back({arm[i], score.at(i), t.at(i), p.at(i), r.at(i), z.at(i), zr.at(i)});
    }
    if (f.nameExists("/true_value")) {
      const auto arm = h5::read_strings(f.openDataSet("/true_value/arm"));
      const auto col = [&](const char* name) { return numbers(std::string("/true_value/") + name); };
      const auto reps = col("replications"), v = col("value"), vse = col("value_se"),
                 u = col("uplift"), use = col("uplift_se"), rv = col("run_value"),
                 re = col("run_error"), ru = col("run_uplift"), rue = col("run_uplift_error"),
                 rx = col("run_expected_value"), rxe = col("run_expected_error");
      for (std::size_t i = 0; i < arm.size(); ++i) {
        TrueValue tv;
        tv.arm = arm[i];
        tv.replications = static_cast<int>(reps.at(i));
        tv.value = v.at(i);
        tv.value_se = vse.at(i);
        tv.uplift = u.at(i);
        tv.uplift_se = use.at(i);
        tv.run_value = rv.at(i);
        tv.run_error = re.at(i);
        tv.run_uplift = ru.at(i);
        tv.run_uplift_error = rue.at(i);
        tv.run_expected_value = rx.at(i);
        tv.run_expected_error = rxe.at(i);
        out.true_value.push_back(tv);
      }
    }
  });
  const Method method = out.design == "paired"       ? Method::paired
                       : out.design == "stratified" ? Method::stratified
                                                    : Method::welch;
  const auto control = std::find_if(arms.begin(), arms.end(),
                                    [&](const ArmData& a) { return a.name == out.control; });
  if (control == arms.end()) throw ResultsFileError(path + ": the control arm is missing");
  out.comparisons = static_cast<int>(arms.size()) - 1;
  const double family = out.comparisons > 0 ? 1.0 - 0.05 / out.comparisons : 0.95;
  const auto all = [](const ArmData&, std::size_t) { return true; };

  for (const auto& a : arms) {
    ArmComparison r;
    r.arm = a.name;
    r.policy = a.policy;
    Moments m;
    for (double v : a.value) m.add(v);
    r.n = m.n;
    r.mean = m.mean;
    const double h = half_width(m, 0.95);
    r.ci_low = m.mean - h;
    r.ci_high = m.mean + h;
    if (&a != &*control) {
      const auto d = difference(a, *control, method, 0.95, all);
      r.uplift = d.mean;
      r.uplift_ci_low = d.low;
      r.uplift_ci_high = d.high;
      const auto adj = difference(a, *control, method, family, all);
      r.uplift_adj_low = adj.low;
      r.uplift_adj_high = adj.high;
    }
    out.arms.push_back(r);
  }
  std::vector<std::size_t> order(arms.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return out.arms[x].mean > out.arms[y].mean; });
  const std::size_t best = order.front();
  for (std::size_t i = 0; i < arms.size(); ++i) {
    if (i == best) continue;
    const auto d = difference(arms[i], arms[best], method, 0.95, all);
    out.arms[i].vs_best = d.mean;
    out.arms[i].vs_best_ci_low = d.low;
    out.arms[i].vs_best_ci_high = d.high;
  }
  std::vector<ArmComparison> ranked;
  for (std::size_t r = 0; r < order.size(); ++r) {
    ranked.push_back(out.arms[order[r]]);
    ranked.back().rank = static_cast<int>(r) + 1;
  }
  out.arms = std::move(ranked);

  // Per segment: the segments the file's customers carry.
  std::map<std::int32_t, bool> segments;
  for (const auto& a : arms)
    for (double s : a.segment) segments[static_cast<std::int32_t>(s)] = true;
  for (const auto& a : arms)
    for (const auto& [s, unused] : segments) {
      const auto in = [s = s](const ArmData& x, std::size_t i) {
        return static_cast<std::int32_t>(x.segment[i]) == s;
      };
      SegmentComparison r;
      r.arm = a.name;
      r.segment = s;
      if (s >= 0 && static_cast<std::size_t>(s) < segment_names.size()) r.segment_name = segment_names[s];
      Moments m;
      for (std::size_t i = 0; i < a.value.size(); ++i)
        if (in(a, i)) m.add(a.value[i]);
      r.n = m.n;
      r.mean = m.mean;
      const double h = half_width(m, 0.95);
      r.ci_low = m.mean - h;
      r.ci_high = m.mean + h;
      if (&a != &*control) {
        const auto d = difference(a, *control, method == Method::paired ? method : Method::welch, 0.95, in);
        r.uplift = d.mean;
        r.uplift_ci_low = d.low;
        r.uplift_ci_high = d.high;
      }
      out.segments.push_back(r);
    }
  return out;
}

}  // namespace mirror::results
