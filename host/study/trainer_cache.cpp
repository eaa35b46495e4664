#include "host/study/trainer_cache.h"

#include <fmt/format.h>

#include "host/report/content_hash.h"
#include "host/report/output_file.h"
#include "host/report/subprocess.h"

namespace mind1024::host {

std::string data_sha256(const MnistSet& train, const MnistSet& test) {
    Sha256 h;
    for (const MnistSet* s : {&train, &test}) {
        h.add(fmt::format("{} {} {};", s->count, s->rows, s->cols));
        h.add(s->images.data(), s->images.size());
        h.add(s->labels.data(), s->labels.size());
    }
    return h.hex();
}

nlohmann::json trainer_identity(const std::string& trainer) {
    // The program's bytes: its code, its defaults (hidden units, learning rate, schedule)
    // and the libraries linked into it. Its version string alone would not do: a build of
    // a changed working tree keeps the version of its last commit.
    return {{"sha256", sha256_file(trainer)}};
}

Training plan_training(const ResultCache& cache, const std::string& id, const std::string& trainer,
                       const std::vector<std::string>& args, const std::string& data_sha, bool retrain) {
    Training t;
    t.id = id;
    t.trainer = trainer;
    t.args = args;
    t.key = {{"format", ResultCache::kFormat},     {"program", "mind1024-train"}, {"trainer", trainer_identity(trainer)},
             {"args", args},                       {"data_sha256", data_sha}};
    t.dir = cache.dir_for(id, t.key);
    t.cached = !retrain && cache.lookup(t.dir, t.key);
    return t;
}

std::vector<std::string> training_argv(const Training& t, const std::string& data_dir, const std::string& staging) {
    std::vector<std::string> argv{t.trainer};
    argv.insert(argv.end(), t.args.begin(), t.args.end());
    argv.insert(argv.end(), {"--data", data_dir, "--out", staging});
    return argv;
}

std::string run_training(const ResultCache& cache, const Training& t, const std::string& data_dir, const std::string& log,
                         bool retrain) {
    if (t.cached) return t.dir;
    if (retrain) cache.remove(t.dir);
    const std::string staging = cache.stage(t.dir);
    const ProcessResult r = run_process(training_argv(t, data_dir, staging), log, false, "");
    if (!r.ok()) {
        std::string tail;
        for (const auto& l : r.tail) tail += "\n  " + l;
        throw ReportError(fmt::format("training {} failed with {}; its log is {}; it ended:{}", t.id, r.describe(), log, tail));
    }
    cache.commit(staging, t.dir, t.key);
    return t.dir;
}

}  // namespace mind1024::host
