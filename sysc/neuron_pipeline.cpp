#include "neuron_pipeline.h"
