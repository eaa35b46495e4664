// The design-space exploration's files: points.csv, pareto.csv, dse.json,
// the front's plots and summary.md (points.jsonl is written as points end).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "host/study/dse.h"

namespace mind1024::host {

// The reference point of the summary: the parameter table's defaults if the
// space has them (fault-free), else the most accurate fault-free point; and
// the cheapest point (area, then energy) within `tolerance` (a fraction) of its
// accuracy. Indices into r.rows; npos if none.
struct DseAnswer {
    size_t reference = std::string::npos, cheapest = std::string::npos;
};
DseAnswer cheapest_within(const DseResult& r, double tolerance);

// Writes every file into `out`, each atomically; returns the names written.
std::vector<std::string> write_dse_outputs(const DseSpace& s, const DseWorkload& w, const DseResult& r,
                                           const std::string& out, const nlohmann::json& provenance);
// The Markdown summary (also printed by the command).
std::string dse_summary_md(const DseSpace& s, const DseResult& r);

}  // namespace mind1024::host
