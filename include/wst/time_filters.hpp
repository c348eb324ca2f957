// The time filters of a transform (Scattering1D, TimeFrequencyScattering)
// as its backend's context takes them: every level a walk reads, compacted,
// and the filters' parameters (xi, sigma, j) without their levels.
#pragma once

#include "wst/filter_bank.hpp"
#include "wst/parameters.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace wst {

struct compact_time_filters {
    std::vector<std::vector<compact_level>> psi1, psi2;  // per filter, its levels
    std::vector<compact_level> phi;
    filter_bank parameters;  // no levels
};

// Kymatio gives psi2 the levels min(max j1, j2, 1 + log2 T); a path (n1, n2)
// reads level k1 of psi2, which for some (Q1, Q2) is not among them (Kymatio
// then fails with an IndexError): those levels are made the same way
// (summing periods). parallel_for(count, body(worker, i)) runs the filters
// on the transform's threads.
template <class ParallelFor>
compact_time_filters make_compact_time_filters(int J, const quality_factors& Q, const scattering1d_geometry& g,
                                               ParallelFor&& parallel_for) {
    const bool local = g.average == averaging::mode::local;
    auto specs = scattering_filter_specs(J, Q.q1, Q.q2, g.T);
    for (auto& s2 : specs) {
        if (s2.kind != filter_kind::psi2) continue;
        int needed = 0;  // highest level read: k1 of any path (n1, this)
        for (const auto& s1 : specs)
            if (s1.kind == filter_kind::psi1 && s2.j > s1.j) needed = std::max(needed, local ? std::min(s1.j, g.log2_stride) : s1.j);
        s2.levels = std::max(s2.levels, needed + 1);
    }
    std::vector<std::vector<compact_level>> compacted(specs.size());
    parallel_for(specs.size(), [&](std::size_t, std::size_t i) {
        for (const auto& level : make_filter(specs[i], static_cast<std::size_t>(g.N_padded)).levels)
            compacted[i].push_back(compact(level));
    });
    compact_time_filters out;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const filter_spec& s = specs[i];
        filter parameters{s.xi, s.sigma, s.j, {}};
        if (s.kind == filter_kind::phi) {
            out.phi = std::move(compacted[i]);
            out.parameters.phi = std::move(parameters);
        } else {
            (s.kind == filter_kind::psi1 ? out.psi1 : out.psi2).push_back(std::move(compacted[i]));
            (s.kind == filter_kind::psi1 ? out.parameters.psi1 : out.parameters.psi2).push_back(std::move(parameters));
        }
    }
    return out;
}

}  // namespace wst
