#include "sysc/neuron_pipeline.h"
