// A trained prototype classifier on disk, so a sweep need not retrain it.
// Directory format "mind1024-classifier/1":
//   classifier.json  format, every ClassifierConfig and ClassifierLayout field
//                    (order by name), tune_violations, attractor_errors,
//                    validation (held-out accuracy per epoch, the epochs kept),
//                    train_seconds, and per array its file, dtype, shape, SHA-256
//   weights.npy      float32 (n, n)        net.w
//   theta.npy        float32 (n,)          net.theta
//   bias.npy         float64 (F,)          bias, F = protos + labels
//   clamp.npy        uint8   (n,)          clamp
//   centroids.npy    float32 (protos, pixels)
// Doubles are written by nlohmann's shortest round-trip form, so they read back
// bit for bit. classifier.json is written last and removed first, so an
// interrupted save never reads as a classifier.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "host/classify/prototype_classifier.h"
#include "host/data/data_error.h"
#include "host/data/idx_reader.h"

namespace mind1024::host {

constexpr const char* kClassifierFormat = "mind1024-classifier/1";
// Bump when train_classifier gives other results for the same settings and
// data: cached classifiers of the old version are then not taken.
constexpr int kClassifierTrainingVersion = 2;  // 2: validated tunings, the sparse scores

// Writes dir/classifier.json and the arrays (each file atomically). Throws
// BadArgument if t is not self-consistent (array sizes against the layout, a
// non-finite setting), DataError naming the file if it cannot be written.
// `about` (an object, e.g. provenance) is kept under "about" and not read back.
void save_classifier(const TrainedClassifier& t, const std::string& dir,
                     const nlohmann::json& about = nlohmann::json::object());
// Reads it back, checking everything: format and version, every field's type
// and range, the layout against the settings (make_layout), each array's
// dtype, shape and SHA-256, clamp and centroid values, finite numbers. A
// DataError naming the file and what is wrong otherwise.
TrainedClassifier load_classifier(const std::string& dir);

// The settings as JSON (the "config" object of classifier.json) and back;
// from_json throws DataError naming `source` and the field.
nlohmann::json classifier_config_json(const ClassifierConfig& cfg);
// The held-out validation of the tunings ("validation" in classifier.json and mnist.json):
// {"images", "tune": {"accuracy", "rate", "kept"}, "attractor": {...}}.
nlohmann::json validation_json(const TrainedClassifier& t);
ClassifierConfig classifier_config_from_json(const nlohmann::json& j, const std::string& source);

// What decides train_classifier's result, for ResultCache (host/report): the
// format, the training version, every setting, and the SHA-256 of the
// training set as used (count, geometry, image bytes, labels; not its paths).
nlohmann::json classifier_cache_key(const MnistSet& train, const ClassifierConfig& cfg);
// That SHA-256 (as cmd_report hashes its data: "count rows cols;", images, labels).
std::string mnist_set_sha256(const MnistSet& s);

}  // namespace mind1024::host
