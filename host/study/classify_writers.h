// Writers of the classification study's results: the files `mnist` and
// `report` publish. The values come from classify_study.h; nothing here runs a chip.
#pragma once
#include <string>
#include <vector>

#include "host/data/idx_reader.h"
#include "host/study/classify_study.h"

namespace mind1024::host {

// confusion.csv: "true\predicted" header, one row per true class.
void write_confusion_csv(const std::string& path, const std::vector<size_t>& m, uint32_t classes);
// A labelled confusion matrix picture; `title` says what ran, with how many images.
void write_confusion_png(const std::string& path, const std::vector<size_t>& m, uint32_t classes,
                         const std::string& title);
// predictions.csv (every image) or examples.csv (with_cycles false, the first `count`):
// image, true_label, chip_label[, float_label], chip_sweeps[, chip_cycles].
void write_predictions_csv(const std::string& path, const std::vector<uint8_t>& labels, const ClassifierEval& e,
                           size_t count, bool with_cycles);
// examples.png: per example the input, the clamped crop, the recalled mean of the
// prototypes left on, the prototype neurons and the label neurons, labelled.
void write_examples_png(const std::string& path, const MnistSet& test, const TrainedClassifier& net,
                        const ClassifierEval& e, const std::string& chip_name);

}  // namespace mind1024::host
