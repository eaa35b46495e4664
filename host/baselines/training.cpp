#include "host/baselines/training.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

namespace mind1024::host::baselines {

void print_epoch(const std::string& model, int epochs, const EpochStats& e) {
    std::string loss = std::isnan(e.loss) ? std::string("-") : fmt::format("{:.4f}", e.loss);
    std::string lr = e.learning_rate > 0 ? fmt::format(" (lr {:.3g})", e.learning_rate) : std::string();
    std::fprintf(stderr, "%s\n",
                 fmt::format("{} epoch {}/{}: loss {}, train {:.2f}%, test {:.2f}%, {:.1f} s{}", model, e.epoch, epochs,
                             loss, 100 * e.train_accuracy, 100 * e.test_accuracy, e.seconds, lr)
                     .c_str());
}

nlohmann::json epochs_json(const std::vector<EpochStats>& epochs) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& e : epochs)
        a.push_back({{"epoch", e.epoch},
                     {"loss", std::isnan(e.loss) ? nlohmann::json(nullptr) : nlohmann::json(e.loss)},
                     {"train_accuracy", e.train_accuracy},
                     {"test_accuracy", e.test_accuracy},
                     {"seconds", e.seconds},
                     {"learning_rate", e.learning_rate}});
    return a;
}

double cosine_lr(double base, size_t step, size_t total) {
    if (total == 0) return base;
    return 0.5 * base * (1 + std::cos(M_PI * static_cast<double>(step) / static_cast<double>(total)));
}

}  // namespace mind1024::host::baselines
