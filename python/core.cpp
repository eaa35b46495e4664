// mind1024._core: the chip drivers and the float twin for Python.
//
// Plain C++ only: the reference model, the run engine, the socket transport to a
// `mind-board --listen` process (the SystemC chip lives there, never in this
// module: SystemC elaborates once per process and its fatal errors abort it)
// and the float twin. The public API, its defaults and the board processes
// are in mind1024/__init__.py; this file converts and checks arguments, runs
// with the GIL released and maps the host's errors onto mind1024's exceptions.
#include <pybind11/pybind11.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "host/board/bare_driver.h"
#include "host/board/chip_driver.h"
#include "host/board/errors.h"
#include "host/board/firmware_driver.h"
#include "host/board/engine_driver.h"
#include "host/board/reference_driver.h"
#include "host/baselines/dataset.h"
#include "host/baselines/layered_net.h"
#include "host/classify/layered_chip.h"
#include "host/classify/classifier_file.h"
#include "host/classify/prototype_classifier.h"
#include "host/data/data_error.h"
#include "host/data/idx_reader.h"
#include "host/data/npy.h"
#include "host/link/socket_transport.h"
#include "host/study/fault_study.h"
#include "host/twin/float_twin.h"
#include "sysc/chip_params.h"
#include "sysc/fault_plan.h"
#include "sysc/fixed_point.h"

namespace py = pybind11;
using namespace mind1024;
using namespace mind1024::host;

namespace {

// ---------------------------------------------------------------- errors

// A call on a closed chip, or another state error of the module itself.
struct ChipError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A wrong argument type (a float array where integers are wanted): TypeError.
struct ArgTypeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The Python classes of mind1024/_errors.py, looked up once at import.
struct PyErrors {
    py::object chip, bad_argument, board, bus, busy;
};
PyErrors& py_errors() {
    static PyErrors* e = new PyErrors();  // never destroyed: lives as long as the interpreter
    return *e;
}

void translate(std::exception_ptr p) {
    const PyErrors& e = py_errors();
    try {
        if (p) std::rethrow_exception(p);
    } catch (const BadArgument& x) {  // before BoardError, its C++ base
        PyErr_SetString(e.bad_argument.ptr(), x.what());
    } catch (const BusError& x) {
        py::object err = e.bus(x.what());
        err.attr("address") = x.address;
        PyErr_SetObject(e.bus.ptr(), err.ptr());
    } catch (const BusyError& x) {
        PyErr_SetString(e.busy.ptr(), x.what());
    } catch (const BoardError& x) {
        PyErr_SetString(e.board.ptr(), x.what());
    } catch (const ChipError& x) {
        PyErr_SetString(e.chip.ptr(), x.what());
    } catch (const ArgTypeError& x) {
        PyErr_SetString(PyExc_TypeError, x.what());
    } catch (const std::invalid_argument& x) {  // the core's checks (parameters, fault specs)
        PyErr_SetString(e.bad_argument.ptr(), x.what());
    } catch (const DataError& x) {  // a classifier directory or setting that does not read
        PyErr_SetString(e.bad_argument.ptr(), x.what());
    }
}

// ---------------------------------------------------------------- scalars

// A Python integer (or NumPy integer) in lo..hi, else BadArgument naming it;
// never pybind11's silent conversion or its "incompatible arguments" TypeError.
uint64_t whole(py::handle v, const char* name, uint64_t lo, uint64_t hi) {
    if (PyFloat_Check(v.ptr()) || !PyIndex_Check(v.ptr()))
        throw ArgTypeError(fmt::format("{} must be an integer, not {}", name, py::str(py::type::of(v)).cast<std::string>()));
    py::int_ i = py::reinterpret_steal<py::int_>(PyNumber_Index(v.ptr()));
    if (!i) throw py::error_already_set();
    int overflow = 0;
    const long long x = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
    if (overflow || x < 0 || static_cast<uint64_t>(x) < lo || static_cast<uint64_t>(x) > hi)
        throw BadArgument(fmt::format("{} = {} is outside {}..{}", name, py::str(i).cast<std::string>(), lo, hi));
    return static_cast<uint64_t>(x);
}
uint32_t u32(py::handle v, const char* name, uint32_t lo = 0) {
    return static_cast<uint32_t>(whole(v, name, lo, UINT32_MAX));
}

// ---------------------------------------------------------------- arrays

// An integer or bool array as it is: NumPy's own buffer, any strides, any
// integer dtype. Values are read element by element, checked, and converted
// once into the driver's vectors: no NumPy copy in between, and nothing is
// converted before every element has passed its check.
struct IntArray {
    py::array a;  // holds the buffer
    char kind = 0;  // 'b' bool, 'i' signed, 'u' unsigned
    int itemsize = 0;
    ssize_t shape[2] = {1, 1}, strides[2] = {0, 0};
    int ndim = 0;
};

IntArray int_array(py::handle obj, const char* what, int ndim, const char* shape_text) {
    IntArray r;
    r.a = py::array::ensure(obj);  // the same object for an ndarray; a list becomes one
    if (!r.a) {
        PyErr_Clear();
        throw ArgTypeError(fmt::format("{} must be an array of integers", what));
    }
    r.kind = r.a.dtype().kind();
    if (r.kind != 'b' && r.kind != 'i' && r.kind != 'u')
        throw ArgTypeError(fmt::format("{} must be an integer or bool array, not {} (convert it first, e.g. "
                                       "np.rint(x).astype(np.int32))",
                                       what, py::str(r.a.dtype()).cast<std::string>()));
    if (r.a.ndim() != ndim)
        throw BadArgument(fmt::format("{} must be {}; its shape is {}", what, shape_text,
                                      py::str(r.a.attr("shape")).cast<std::string>()));
    if (r.a.dtype().byteorder() == '>')  // the one case read through a copy
        r.a = r.a.attr("astype")(r.a.dtype().attr("newbyteorder")("="));
    r.itemsize = static_cast<int>(r.a.itemsize());
    r.ndim = ndim;
    for (int d = 0; d < ndim; ++d) r.shape[d] = r.a.shape(d), r.strides[d] = r.a.strides(d);
    return r;
}

std::string index_text(const IntArray& a, ssize_t i, ssize_t j) {
    return a.ndim == 1 ? fmt::format("{}", i) : fmt::format("{}, {}", i, j);
}

// conv(int64 value, Out& out) -> bool: false rejects the value; reject(text)
// names the element (`what[i, j] = value`) and throws.
template <class T, class Out, class Conv, class Reject>
void read_typed(const IntArray& a, Out* out, Conv& conv, Reject& reject) {
    const char* base = static_cast<const char*>(a.a.data());
    for (ssize_t i = 0; i < a.shape[0]; ++i)
        for (ssize_t j = 0; j < a.shape[1]; ++j) {
            T x;
            std::memcpy(&x, base + i * a.strides[0] + j * a.strides[1], sizeof x);
            bool ok;
            if constexpr (std::is_unsigned<T>::value && sizeof(T) == 8)
                ok = x <= static_cast<uint64_t>(INT64_MAX) && conv(static_cast<int64_t>(x), *out);
            else
                ok = conv(static_cast<int64_t>(x), *out);
            if (!ok) {
                if constexpr (std::is_same<T, bool>::value) reject(i, j, x ? "True" : "False");
                else reject(i, j, fmt::to_string(+x));
            }
            ++out;
        }
}

// Reads every element in C order into out (a.shape[0] * a.shape[1] values).
template <class Out, class Conv>
void read_ints(const IntArray& a, const char* what, Out* out, Conv conv, const std::string& rule) {
    auto reject = [&](ssize_t i, ssize_t j, const std::string& v) {
        throw BadArgument(fmt::format("{}[{}] = {} {}", what, index_text(a, i, j), v, rule));
    };
    switch (a.kind == 'b' ? 0 : a.kind == 'i' ? a.itemsize : 10 + a.itemsize) {
        case 0: return read_typed<bool>(a, out, conv, reject);
        case 1: return read_typed<int8_t>(a, out, conv, reject);
        case 2: return read_typed<int16_t>(a, out, conv, reject);
        case 4: return read_typed<int32_t>(a, out, conv, reject);
        case 8: return read_typed<int64_t>(a, out, conv, reject);
        case 11: return read_typed<uint8_t>(a, out, conv, reject);
        case 12: return read_typed<uint16_t>(a, out, conv, reject);
        case 14: return read_typed<uint32_t>(a, out, conv, reject);
        case 18: return read_typed<uint64_t>(a, out, conv, reject);
    }
    throw ArgTypeError(fmt::format("{}: unsupported dtype {}", what, py::str(a.a.dtype()).cast<std::string>()));
}

auto in_range(int64_t lo, int64_t hi) {
    return [lo, hi](int64_t v, auto& o) {
        if (v < lo || v > hi) return false;
        o = static_cast<std::remove_reference_t<decltype(o)>>(v);
        return true;
    };
}
// A state: -1/+1, or a bool (True is +1).
auto spin(bool is_bool) {
    return [is_bool](int64_t v, int8_t& o) {
        if (is_bool) return o = v ? 1 : -1, true;
        if (v != 1 && v != -1) return false;
        return o = static_cast<int8_t>(v), true;
    };
}
const char* kSpinRule = "is not a state: a state holds -1 or +1 (or a bool array: True is +1)";

std::vector<int8_t> read_state(py::handle obj, const char* what, size_t max_n) {
    IntArray a = int_array(obj, what, 1, "one-dimensional (n,)");
    if (static_cast<size_t>(a.shape[0]) > max_n)
        throw BadArgument(fmt::format("{} has {} values; the chip has {} neurons", what, a.shape[0], max_n));
    std::vector<int8_t> s(a.shape[0]);
    read_ints(a, what, s.data(), spin(a.kind == 'b'), kSpinRule);
    return s;
}

std::vector<uint8_t> read_clamp(py::handle obj, size_t max_n) {
    IntArray a = int_array(obj, "clamp", 1, "one-dimensional (n,)");
    if (static_cast<size_t>(a.shape[0]) > max_n)
        throw BadArgument(fmt::format("clamp has {} values; the chip has {} neurons", a.shape[0], max_n));
    std::vector<uint8_t> c(a.shape[0]);
    read_ints(a, "clamp", c.data(), in_range(0, 1), "is not a clamp flag: a clamp mask holds 0/1 or bools");
    return c;
}

// A batch of states, (B, n): one vector per state, as the drivers take them.
std::vector<std::vector<int8_t>> read_states(py::handle obj, size_t max_n) {
    IntArray a = int_array(obj, "states", 2, "two-dimensional (B, n): one initial state per row");
    if (a.shape[1] < 1 || static_cast<size_t>(a.shape[1]) > max_n)
        throw BadArgument(fmt::format("states has rows of {} neurons; the chip takes 1..{}", a.shape[1], max_n));
    std::vector<int8_t> flat(static_cast<size_t>(a.shape[0] * a.shape[1]));
    read_ints(a, "states", flat.data(), spin(a.kind == 'b'), kSpinRule);
    std::vector<std::vector<int8_t>> out(a.shape[0]);
    for (ssize_t k = 0; k < a.shape[0]; ++k) out[k].assign(flat.begin() + k * a.shape[1], flat.begin() + (k + 1) * a.shape[1]);
    return out;
}

// A float array (the twin's weights and thresholds), every element finite.
std::vector<float> read_floats(py::handle obj, const char* what, int ndim, const char* shape_text) {
    py::array a = py::array::ensure(obj);
    if (!a) {
        PyErr_Clear();
        throw ArgTypeError(fmt::format("{} must be an array of numbers", what));
    }
    const char k = a.dtype().kind();
    if (k != 'f' && k != 'i' && k != 'u' && k != 'b')
        throw ArgTypeError(fmt::format("{} must be a real array, not {}", what, py::str(a.dtype()).cast<std::string>()));
    if (a.ndim() != ndim)
        throw BadArgument(fmt::format("{} must be {}; its shape is {}", what, shape_text, py::str(a.attr("shape")).cast<std::string>()));
    // Real numbers to float32 cannot wrap (unlike integers to a narrower integer).
    auto f = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(a);
    std::vector<float> out(f.data(), f.data() + f.size());
    for (size_t i = 0; i < out.size(); ++i)
        if (!std::isfinite(out[i])) {
            const std::string idx = ndim == 1 ? fmt::format("{}", i) : fmt::format("{}, {}", i / a.shape(1), i % a.shape(1));
            throw BadArgument(fmt::format("{}[{}] = {} is not a finite number (as float32)", what, idx, out[i]));
        }
    return out;
}

// A vector handed to NumPy without a copy: the array owns it through a capsule.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v, std::vector<ssize_t> shape = {}) {
    auto* owned = new std::vector<T>(std::move(v));
    py::capsule keep(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    if (shape.empty()) shape = {static_cast<ssize_t>(owned->size())};
    return py::array_t<T>(shape, owned->data(), keep);
}

// ---------------------------------------------------------------- run parameters

RunParams make_run_params(const std::string& order, py::handle max_sweeps, py::handle n_active, bool wrap, py::handle noise,
                     py::handle seed) {
    RunParams r;
    if (order == "sync") r.order = Order::Sync;
    else if (order == "async") r.order = Order::AsyncSeq;
    else if (order == "perm") r.order = Order::AsyncPerm;
    else throw BadArgument(fmt::format("order = '{}': the update orders are 'sync', 'async' and 'perm'", order));
    r.max_sweeps = u32(max_sweeps, "max_sweeps", 1);
    r.n_active = n_active.is_none() ? 0 : u32(n_active, "n_active", 1);
    r.wrap = wrap;
    r.noise = !noise.is_none();
    r.temp = r.noise ? u32(noise, "noise (TEMP)") : 0;
    r.seed = u32(seed, "seed");
    return r;
}

// The columns of a batch, one NumPy array each.
struct BatchColumns {
    std::vector<uint32_t> sweeps, flips, overflows;
    std::vector<uint64_t> cycles;
    std::vector<uint8_t> converged, cycle2;
    double sim_seconds = 0;
    explicit BatchColumns(size_t b) : sweeps(b), flips(b), overflows(b), cycles(b), converged(b), cycle2(b) {}
    void set(size_t k, const RunResult& r) {
        sweeps[k] = r.sweeps, flips[k] = r.flips, overflows[k] = r.ovf_count, cycles[k] = r.cycles;
        converged[k] = r.converged, cycle2[k] = r.cycle2;
        sim_seconds += r.sim_seconds;
    }
    void into(py::dict& d) {
        d["sweeps"] = to_numpy(std::move(sweeps));
        d["flips"] = to_numpy(std::move(flips));
        d["cycles"] = to_numpy(std::move(cycles));
        d["overflows"] = to_numpy(std::move(overflows));
        d["converged"] = to_numpy(std::move(converged)).attr("view")("bool");
        d["cycle2"] = to_numpy(std::move(cycle2)).attr("view")("bool");
        d["sim_seconds"] = sim_seconds;
    }
    // run_many's result: the final states and fields (b, n) beside the columns.
    template <class Field>
    py::dict with_states(std::vector<int8_t>&& states, std::vector<Field>&& fields, size_t n) {
        const ssize_t b = static_cast<ssize_t>(sweeps.size());
        py::dict d;
        d["states"] = to_numpy(std::move(states), {b, static_cast<ssize_t>(n)});
        d["fields"] = to_numpy(std::move(fields), {b, static_cast<ssize_t>(n)});
        into(d);
        return d;
    }
};

// Batches run in chunks: between two, the GIL is taken back to see Ctrl-C.
constexpr size_t kChunk = 1024;
void check_signals() {
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}
// chunk(k0, k1) over [0, b) in steps of kChunk, Ctrl-C seen between two.
template <class Chunk>
void in_chunks(size_t b, const Chunk& chunk) {
    for (size_t k0 = 0; k0 < b; k0 += kChunk) {
        chunk(k0, std::min(b, k0 + kChunk));
        check_signals();
    }
}

// ---------------------------------------------------------------- the layered network

// A NumPy array as the project's NpyArray (what the layered network's readers
// take), named `name` in their messages: floats as float64, integers and bools
// as int64 (checked, never wrapped).
NpyArray npy_of(py::handle obj, const char* name, size_t rows, size_t cols) {
    const bool matrix = cols != 0;
    const std::string shape_text = matrix ? fmt::format("({}, {})", rows, cols) : fmt::format("({},)", rows);
    py::array a = py::array::ensure(obj);
    if (!a) {
        PyErr_Clear();
        throw ArgTypeError(fmt::format("{} must be an array of numbers", name));
    }
    if (a.ndim() != (matrix ? 2 : 1) || a.shape(0) != static_cast<ssize_t>(rows) ||
        (matrix && a.shape(1) != static_cast<ssize_t>(cols)))
        throw BadArgument(fmt::format("{} must have the shape {}; its shape is {}", name, shape_text,
                                      py::str(a.attr("shape")).cast<std::string>()));
    const std::vector<size_t> shape = matrix ? std::vector<size_t>{rows, cols} : std::vector<size_t>{rows};
    NpyArray out;
    if (a.dtype().kind() == 'f') {
        auto f = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);  // floats widen exactly
        out = make_npy<double>(shape, std::vector<double>(f.data(), f.data() + f.size()));
    } else {
        IntArray ia = int_array(obj, name, matrix ? 2 : 1, shape_text.c_str());
        std::vector<int64_t> v(rows * (matrix ? cols : 1));
        read_ints(ia, name, v.data(), in_range(INT64_MIN, INT64_MAX), "does not fit int64");
        out = make_npy<int64_t>(shape, v);
    }
    out.source = name;  // the readers' messages name it
    return out;
}

// Images of a network with `inputs` inputs: uint8, (B, ...) with `inputs` pixels per image.
py::array_t<uint8_t, py::array::c_style> read_images(py::handle obj, size_t inputs) {
    py::array a = py::array::ensure(obj);
    if (!a || a.dtype().kind() != 'u' || a.itemsize() != 1) {
        PyErr_Clear();
        throw ArgTypeError("images must be a uint8 array (B, ...) of pixels, as MNIST stores them");
    }
    ssize_t per = 1;
    for (ssize_t d = 1; d < a.ndim(); ++d) per *= a.shape(d);
    if (a.ndim() < 2 || static_cast<size_t>(per) != inputs)
        throw BadArgument(fmt::format("images must be (B, ...) with {} pixels per image; the shape is {}", inputs,
                                      py::str(a.attr("shape")).cast<std::string>()));
    return py::array_t<uint8_t, py::array::c_style>::ensure(a);  // a copy only for a non-contiguous view
}

// The layered binary network (host/baselines/layered_net.h) in integers, and
// what it needs on a chip (host/classify/layered_chip.h).
class Layered {
public:
    explicit Layered(baselines::LayeredIntNet net) : net_(std::move(net)), id_(next_id()) {}

    // Integer arrays as they are (checked against wbits), or float arrays
    // quantized to wbits by the project's quantizer (quantize_layered).
    static Layered from_arrays(py::handle w1, py::handle t1, py::handle w2, py::handle b2, unsigned wbits, bool quantize) {
        if (wbits < 1 || wbits > 16) throw BadArgument(fmt::format("wbits = {} is outside 1..16", wbits));
        const py::array a1 = py::array::ensure(w1), a2 = py::array::ensure(w2);
        if (!a1 || a1.ndim() != 2 || !a2 || a2.ndim() != 2) {
            PyErr_Clear();
            throw BadArgument("w1 must be (hidden, inputs) and w2 (outputs, hidden)");
        }
        baselines::LayeredArrays a;
        a.inputs = a1.shape(1), a.hidden = a1.shape(0), a.outputs = a2.shape(0);
        if (!a.inputs || !a.hidden || !a.outputs) throw BadArgument("every layer needs at least one unit");
        a.wbits = wbits;
        a.w1 = npy_of(w1, "w1", a.hidden, a.inputs);
        a.t1 = npy_of(t1, "t1", a.hidden, 0);
        a.w2 = npy_of(w2, "w2", a.outputs, a.hidden);
        a.b2 = npy_of(b2, "b2", a.outputs, 0);
        if (!quantize) {
            for (const NpyArray* x : {&a.w1, &a.t1, &a.w2, &a.b2})
                if (x->dtype == NpyDtype::Float64)
                    throw ArgTypeError(fmt::format("{} is a float array: integers are taken as they are, floats "
                                                   "need quantize=True",
                                                   x->source));
            return Layered(baselines::layered_from_arrays(a));
        }
        LayeredQuantization q;
        Layered l(quantize_layered(a, wbits, &q));
        l.quant_ = py::dict(py::arg("w1_scale") = q.w1.scale, py::arg("w1_clipped") = q.w1.clipped,
                            py::arg("w1_rms_error") = q.w1.rms_error, py::arg("w2_scale") = q.w2.scale,
                            py::arg("w2_clipped") = q.w2.clipped, py::arg("w2_rms_error") = q.w2.rms_error,
                            py::arg("t1_clipped") = q.t1_clipped, py::arg("b2_clipped") = q.b2_clipped);
        return l;
    }
    static Layered load(const std::string& dir) {
        py::gil_scoped_release nogil;
        return Layered(baselines::read_layered(dir));
    }
    // The project's directory layout (docs/layered-network.md), for `mind1024 layered --net DIR`.
    void save(const std::string& dir, py::handle accuracy, py::handle extra, double s1, double s2) const {
        baselines::LayeredExportInfo info;
        info.accuracy = py_to_json_(accuracy);
        info.extra = py_to_json_(extra);
        info.s1 = s1, info.s2 = s2;
        baselines::write_layered(dir, net_, info);
    }

    py::dict arrays() const {
        const auto h = static_cast<ssize_t>(net_.hidden), i = static_cast<ssize_t>(net_.inputs),
                   o = static_cast<ssize_t>(net_.outputs);
        return py::dict(py::arg("w1") = to_numpy(std::vector<int16_t>(net_.w1), {h, i}),
                        py::arg("t1") = to_numpy(std::vector<int32_t>(net_.t1)),
                        py::arg("w2") = to_numpy(std::vector<int16_t>(net_.w2), {o, h}),
                        py::arg("b2") = to_numpy(std::vector<int32_t>(net_.b2)));
    }
    py::tuple layers() const { return py::make_tuple(net_.inputs, net_.hidden, net_.outputs); }
    unsigned wbits() const { return net_.wbits; }
    unsigned accumulator_bits() const { return net_.accumulator_bits(); }
    py::object quantization() const { return quant_; }

    // The host's integer model on each image: labels, output scores and hidden states.
    py::dict run(py::handle images) const {
        const auto img = read_images(images, net_.inputs);
        const size_t b = img.shape(0), in = net_.inputs, hid = net_.hidden, out = net_.outputs;
        std::vector<int32_t> labels(b);
        std::vector<int64_t> scores(b * out);
        std::vector<int8_t> hidden(b * hid);
        {
            py::gil_scoped_release nogil;
            std::vector<int8_t> x(in);
            for (size_t k = 0; k < b; ++k) {
                for (size_t j = 0; j < in; ++j) x[j] = baselines::binarize_pixel(img.data()[k * in + j]);
                const auto h = net_.hidden_states(x.data());
                const auto f = net_.output_fields(h);
                std::copy(h.begin(), h.end(), hidden.begin() + k * hid);
                std::copy(f.begin(), f.end(), scores.begin() + k * out);
                labels[k] = static_cast<int32_t>(std::max_element(f.begin(), f.end()) - f.begin());
            }
        }
        return result(std::move(labels), std::move(scores), std::move(hidden), b);
    }

    // Checks that it fits chip p (BadArgument naming the array and element).
    void check_fits(const ChipParams& p) const { check_layered_fits(net_, p, ""); }

    py::dict result(std::vector<int32_t>&& labels, std::vector<int64_t>&& scores, std::vector<int8_t>&& hidden,
                    size_t b) const {
        py::dict d;
        d["labels"] = to_numpy(std::move(labels));
        d["scores"] = to_numpy(std::move(scores), {static_cast<ssize_t>(b), static_cast<ssize_t>(net_.outputs)});
        d["hidden"] = to_numpy(std::move(hidden), {static_cast<ssize_t>(b), static_cast<ssize_t>(net_.hidden)});
        return d;
    }

    const baselines::LayeredIntNet& net() const { return net_; }
    uint64_t id() const { return id_; }

private:
    static uint64_t next_id() {
        static std::atomic<uint64_t> n{0};
        return ++n;
    }
    static nlohmann::json py_to_json_(py::handle o) {
        if (o.is_none()) return nlohmann::json::object();
        return nlohmann::json::parse(py::module_::import("json").attr("dumps")(o).cast<std::string>());
    }
    baselines::LayeredIntNet net_;
    uint64_t id_;  // which network a chip holds (load_layered)
    py::object quant_ = py::none();
};

// ---------------------------------------------------------------- the chip

// One chip: the reference model or the run engine in this process, or a board process over its
// socket (bare or firmware mode). One call at a time (a mutex); runs release the GIL.
class Chip {
    ChipDriver& open() {
        if (!drv_) throw ChipError("the chip is closed");
        return *drv_;
    }
    // The driver call without the GIL, one at a time.
    template <class F>
    auto call(F&& f) {
        py::gil_scoped_release nogil;
        std::lock_guard<std::mutex> g(mu_);
        return f(open());
    }

public:
    Chip(const ChipParams& p, const std::string& where, const std::string& mode, const std::string& faults,
         double timeout_s)
        : params_(p) {
        p.validate();
        if (mode != "bare" && mode != "firmware")
            throw BadArgument(fmt::format("mode = '{}': the modes are 'bare' and 'firmware'", mode));
        py::gil_scoped_release nogil;
        if (where == "reference" || where == "engine") {
            if (mode != "bare")
                throw BadArgument(fmt::format("the {} backend has no firmware: mode='firmware' needs backend='systemc'", where));
            std::unique_ptr<ChipDriver> r;
            if (where == "engine") r = std::make_unique<EngineDriver>(p);
            else r = std::make_unique<ReferenceDriver>(p);
            if (!faults.empty()) r->set_faults(FaultPlan::expand(FaultSpec::parse(faults), p));
            drv_ = std::move(r);
            return;
        }
        // A board process: its faults are its own (mind-board --faults).
        SocketTransportOptions so;
        so.timeout_s = timeout_s;
        so.client_name = "mind1024 Python module";
        transport_ = std::make_unique<SocketTransport>(where, so);
        if (transport_->chip_params() != p)
            throw BadArgument(fmt::format("the board at {} has {}, not the {} asked for", where,
                                          transport_->chip_params().describe(), p.describe()));
        // The firmware's own limit per chip operation: the socket's wall-clock time limit guards against hangs.
        FirmwareOptions fo;
        fo.limit_s = 3600.0;
        if (mode == "firmware") drv_ = std::make_unique<FirmwareDriver>(*transport_, fo);
        else drv_ = std::make_unique<BareDriver>(*transport_);
    }

    const ChipParams& params() const { return params_ref(); }
    // f(ChipDriver&) without the GIL, one call at a time (the studies' entry);
    // the chip's layered network is forgotten (a study reloads it).
    template <class F>
    auto with_driver(F&& f) {
        layered_.reset();
        return call(std::forward<F>(f));
    }
    std::string name() {
        std::lock_guard<std::mutex> g(mu_);
        return open().name();
    }
    bool closed() const { return !drv_; }

    void close() {
        py::gil_scoped_release nogil;
        std::lock_guard<std::mutex> g(mu_);
        drv_.reset();
        transport_.reset();  // says BYE
    }

    void load_weights(py::handle w) {
        const ChipParams& p = params_ref();
        IntArray a = int_array(w, "weights", 2, "a square (n, n) matrix");
        if (a.shape[0] != a.shape[1] || a.shape[0] < 1 || static_cast<uint32_t>(a.shape[0]) > p.n_max)
            throw BadArgument(fmt::format("weights must be a square (n, n) matrix with 1 <= n <= N_MAX = {}; its shape is {}",
                                          p.n_max, py::str(a.a.attr("shape")).cast<std::string>()));
        WeightMatrix m;
        m.n = static_cast<uint32_t>(a.shape[0]);
        m.w.resize(size_t{m.n} * m.n);
        read_ints(a, "weights", m.w.data(), in_range(fx::range_min(p.wbits), fx::range_max(p.wbits)),
                  fmt::format("is outside the WBITS={} range [{}, {}]", p.wbits, fx::range_min(p.wbits), fx::range_max(p.wbits)));
        call([&](ChipDriver& d) { d.load_weights(m); });
        layered_.reset();  // the layered network is no longer what the chip holds
        n_ = m.n;
    }

    py::array_t<int16_t> read_weights(py::handle n) {
        const uint32_t k = n.is_none() ? n_ : u32(n, "n", 1);
        WeightMatrix m = call([&](ChipDriver& d) { return d.read_weights(k); });
        return to_numpy(std::move(m.w), {static_cast<ssize_t>(k), static_cast<ssize_t>(k)});
    }

    void load_thresholds(py::handle t) {
        const ChipParams& p = params_ref();
        IntArray a = int_array(t, "thresholds", 1, "one-dimensional (n,)");
        if (static_cast<uint32_t>(a.shape[0]) > p.n_max)
            throw BadArgument(fmt::format("thresholds has {} values; the chip has {} neurons", a.shape[0], p.n_max));
        std::vector<int32_t> v(a.shape[0]);
        read_ints(a, "thresholds", v.data(), in_range(fx::range_min(p.abits), fx::range_max(p.abits)),
                  fmt::format("is outside the ABITS={} range [{}, {}]", p.abits, fx::range_min(p.abits), fx::range_max(p.abits)));
        call([&](ChipDriver& d) { d.load_thresholds(v); });
        layered_.reset();  // the layered network is no longer what the chip holds
    }

    void set_state(py::handle s) {
        auto v = read_state(s, "state", params_ref().n_max);
        call([&](ChipDriver& d) { d.set_state(v); });
    }
    void set_clamp(py::handle c) {
        auto v = read_clamp(c, params_ref().n_max);
        call([&](ChipDriver& d) { d.set_clamp(v); });
        layered_.reset();  // the layered network is no longer what the chip holds
    }
    py::array_t<int8_t> state() {
        return to_numpy(call([](ChipDriver& d) { return d.state(); }));
    }
    py::array_t<int32_t> fields(py::handle first, py::handle count) {
        const uint32_t n_max = params_ref().n_max;
        const uint32_t f = u32(first, "first");
        const uint32_t c = count.is_none() ? (f < n_max ? n_max - f : 0) : u32(count, "count");
        return to_numpy(call([&](ChipDriver& d) { return d.fields(f, c); }));
    }

    RunResult run(const RunParams& rp, bool single) {
        RunParams p = with_n(rp);
        return call([&](ChipDriver& d) { return single ? d.step(p) : d.run(p); });
    }
    void hebb(py::handle n_active) {
        const uint32_t n = n_active.is_none() ? n_ : u32(n_active, "n_active", 1);
        call([&](ChipDriver& d) { d.hebb(n); });
        layered_.reset();  // the layered network is no longer what the chip holds
    }
    void clear_synapses() {
        call([](ChipDriver& d) { d.clear_synapses(); });
        layered_.reset();
    }
    void reset() {
        call([](ChipDriver& d) { d.soft_reset(); });
        layered_.reset();  // the clamp mask is cleared
    }
    uint64_t cycles() { return call([](ChipDriver& d) { return d.cycles(); }); }

    // Each state from the same loaded network: set_state, run (seed + k), final state and fields.
    py::dict run_many(py::handle states, const RunParams& rp) {
        const auto s = read_states(states, params_ref().n_max);
        const size_t b = s.size(), n = b ? s[0].size() : 0;
        RunParams p = rp;
        if (!p.n_active) p.n_active = static_cast<uint32_t>(n);
        check_run_params(p, params_ref());
        BatchColumns cols(b);
        std::vector<int8_t> final_states(b * n);
        std::vector<int32_t> fields(b * n);
        in_chunks(b, [&](size_t k0, size_t k1) {
            RunMany batch;
            batch.n = static_cast<uint32_t>(n), batch.run = p, batch.first_seed = rp.seed + static_cast<uint32_t>(k0);
            batch.field_count = static_cast<uint32_t>(n), batch.read_state = true;
            batch.states.assign(s.begin() + k0, s.begin() + k1);
            const auto runs = call([&](ChipDriver& d) { return d.run_many(batch); });
            for (size_t k = k0; k < k1; ++k) {
                const RunManyItem& r = runs[k - k0];
                cols.set(k, r.run);
                std::copy_n(r.state.begin(), n, final_states.begin() + k * n);
                std::copy(r.fields.begin(), r.fields.end(), fields.begin() + k * n);
            }
        });
        return cols.with_states(std::move(final_states), std::move(fields), n);
    }

    // The driver's classify_batch (the firmware's CLASSIFY in firmware mode), in chunks.
    py::dict classify(py::handle states, py::handle first_label, py::handle classes, py::handle reps, py::handle protos,
                      const RunParams& rp) {
        ClassifyBatch proto;
        proto.first_label = u32(first_label, "first_label");
        proto.classes = u32(classes, "classes", 1);
        proto.reps = u32(reps, "reps", 1);
        proto.protos = u32(protos, "protos");
        proto.run = rp;
        auto s = read_states(states, params_ref().n_max);
        const size_t b = s.size();
        proto.n = b ? static_cast<uint32_t>(s[0].size()) : 1;
        if (rp.n_active && rp.n_active != proto.n)
            throw BadArgument(fmt::format("classify runs each state over its own {} neurons: n_active = {} differs",
                                          proto.n, rp.n_active));
        check_classify_batch(proto, params_ref());
        std::vector<int32_t> labels(b);
        std::vector<uint8_t> tied(b);
        BatchColumns cols(b);
        in_chunks(b, [&](size_t k0, size_t k1) {
            ClassifyBatch batch = proto;
            batch.first_seed = rp.seed + static_cast<uint32_t>(k0);
            batch.states.assign(std::make_move_iterator(s.begin() + k0), std::make_move_iterator(s.begin() + k1));
            const auto out = call([&](ChipDriver& d) { return d.classify_batch(batch); });
            for (size_t k = k0; k < k1; ++k) {
                labels[k] = out[k - k0].label, tied[k] = out[k - k0].tied;
                cols.set(k, out[k - k0].run);
            }
        });
        py::dict d;
        d["labels"] = to_numpy(std::move(labels));
        d["tied"] = to_numpy(std::move(tied)).attr("view")("bool");
        cols.into(d);
        return d;
    }


    // The layered network into the chip (check_layered_fits first, then
    // load_layered: soft reset, weights, thresholds, clamp mask).
    void load_layered(const Layered& l) {
        l.check_fits(params_ref());
        auto m = std::make_shared<const LayeredChipNetwork>(map_layered(l.net()));
        call([&](ChipDriver& d) { host::load_layered(d, *m); });
        n_ = m->layout.neurons();
        layered_ = std::move(m);
        layered_id_ = l.id();
    }
    // Each image through the loaded layered network (classify_layered: one
    // ASYNC_SEQ sweep), with the hidden states read back if asked.
    py::dict classify_layered(const Layered& l, py::handle images, bool hidden) {
        if (!layered_ || layered_id_ != l.id())
            throw ChipError("the chip does not hold this layered network: load it first (net.load_on(chip))");
        const auto img = read_images(images, l.net().inputs);
        const LayeredChipNetwork& m = *layered_;
        const size_t b = img.shape(0), in = m.layout.inputs, hid = m.layout.hidden, out = m.layout.outputs;
        std::vector<int32_t> labels(b);
        std::vector<int64_t> scores(b * out);
        std::vector<int8_t> h(hidden ? b * hid : 0);
        BatchColumns cols(b);
        in_chunks(b, [&](size_t k0, size_t k1) {
            std::vector<int8_t> hs;
            const auto answers = call([&](ChipDriver& d) {
                return host::classify_layered_many(d, m, img.data() + k0 * in, in, k1 - k0, false, hidden ? &hs : nullptr);
            });
            for (size_t k = k0; k < k1; ++k) {
                const LayeredAnswer& a = answers[k - k0];
                labels[k] = a.label;
                std::copy(a.scores.begin(), a.scores.end(), scores.begin() + k * out);
                cols.set(k, a.run);
            }
            if (hidden) std::copy(hs.begin(), hs.end(), h.begin() + k0 * hid);
        });
        py::dict d = l.result(std::move(labels), std::move(scores), std::move(h), b);
        if (!hidden) d["hidden"] = py::none();
        cols.into(d);
        return d;
    }

private:
    const ChipParams& params_ref() const { return params_; }
    RunParams with_n(RunParams p) const {
        if (!p.n_active) p.n_active = n_;
        return p;
    }

    ChipParams params_;
    std::mutex mu_;
    std::unique_ptr<SocketTransport> transport_;  // before the driver: it must outlive it
    std::unique_ptr<ChipDriver> drv_;
    uint32_t n_ = 0;  // the last weight matrix's size: the default N_ACTIVE (0: N_MAX)
    std::shared_ptr<const LayeredChipNetwork> layered_;  // the layered network last loaded, and which one
    uint64_t layered_id_ = 0;
};

// ---------------------------------------------------------------- the float twin

class Twin {
public:
    Twin(py::handle w, py::handle theta, double scale) : twin_(network(w, theta)) {
        if (!(scale > 0) || !std::isfinite(scale)) throw BadArgument(fmt::format("scale = {} must be a positive number", scale));
        twin_.set_scale(scale);
    }
    uint32_t n() const { return twin_.network().n; }
    void set_state(py::handle s) {
        auto v = read_state(s, "state", n());
        std::lock_guard<std::mutex> g(mu_);
        twin_.set_state(v);
    }
    void set_clamp(py::handle c) {
        auto v = read_clamp(c, n());
        std::lock_guard<std::mutex> g(mu_);
        twin_.set_clamp(v);
    }
    py::array_t<int8_t> state() {
        std::lock_guard<std::mutex> g(mu_);
        return to_numpy(std::vector<int8_t>(twin_.state()));
    }
    py::array_t<double> fields() {
        std::lock_guard<std::mutex> g(mu_);
        return to_numpy(std::vector<double>(twin_.fields()));
    }
    double energy() {
        std::lock_guard<std::mutex> g(mu_);
        return twin_.energy();
    }
    RunResult run(const RunParams& p, bool single) {
        py::gil_scoped_release nogil;
        std::lock_guard<std::mutex> g(mu_);
        return single ? twin_.step(p) : twin_.run(p);
    }
    py::dict run_many(py::handle states, const RunParams& rp) {
        const auto s = read_states(states, n());
        const size_t b = s.size(), k_n = b ? s[0].size() : 0;
        RunParams p = rp;
        if (!p.n_active) p.n_active = static_cast<uint32_t>(k_n);
        BatchColumns cols(b);
        std::vector<int8_t> final_states(b * k_n);
        std::vector<double> fields(b * k_n);
        in_chunks(b, [&](size_t k0, size_t k1) {
            {
                py::gil_scoped_release nogil;
                std::lock_guard<std::mutex> g(mu_);
                for (size_t k = k0; k < k1; ++k) {
                    twin_.set_state(s[k]);
                    RunParams q = p;
                    q.seed = rp.seed + static_cast<uint32_t>(k);
                    cols.set(k, twin_.run(q));
                    std::copy(twin_.state().begin(), twin_.state().begin() + k_n, final_states.begin() + k * k_n);
                    std::copy(twin_.fields().begin(), twin_.fields().begin() + k_n, fields.begin() + k * k_n);
                }
            }
        });
        return cols.with_states(std::move(final_states), std::move(fields), k_n);
    }
    // The chip's per-image procedure and label rule (ChipDriver::classify_batch, pick_label).
    py::dict classify(py::handle states, py::handle first_label, py::handle classes, py::handle reps, py::handle protos,
                      const RunParams& rp) {
        const uint32_t fl = u32(first_label, "first_label"), nc = u32(classes, "classes", 1), nr = u32(reps, "reps", 1);
        const uint32_t np_ = u32(protos, "protos");
        if (np_ > fl)
            throw BadArgument(fmt::format("classify: {} prototype neurons below the first label neuron {}", np_, fl));
        const auto s = read_states(states, n());
        const size_t b = s.size();
        const uint32_t k_n = b ? static_cast<uint32_t>(s[0].size()) : 1;
        if (uint64_t{fl} + uint64_t{nc} * nr > n())
            throw BadArgument(fmt::format("classify: label neurons {}..{} are beyond the twin's {} neurons", fl,
                                          uint64_t{fl} + uint64_t{nc} * nr - 1, n()));
        if (rp.n_active && rp.n_active != k_n)
            throw BadArgument(fmt::format("classify runs each state over its own {} neurons: n_active = {} differs", k_n, rp.n_active));
        RunParams p = rp;
        p.n_active = k_n;
        std::vector<int32_t> labels(b);
        std::vector<uint8_t> tied(b);
        BatchColumns cols(b);
        in_chunks(b, [&](size_t k0, size_t k1) {
            {
                py::gil_scoped_release nogil;
                std::lock_guard<std::mutex> g(mu_);
                for (size_t k = k0; k < k1; ++k) {
                    twin_.set_state(s[k]);
                    RunParams q = p;
                    q.seed = rp.seed + static_cast<uint32_t>(k);
                    cols.set(k, twin_.run(q));
                    bool t = false;
                    const auto* f = twin_.fields().data();
                    labels[k] = pick_label(f + fl, f + (fl - np_), np_, nc, nr, &t);
                    tied[k] = t;
                }
            }
        });
        py::dict d;
        d["labels"] = to_numpy(std::move(labels));
        d["tied"] = to_numpy(std::move(tied)).attr("view")("bool");
        cols.into(d);
        return d;
    }

private:
    static FloatNetwork network(py::handle w, py::handle theta) {
        FloatNetwork net;
        net.w = read_floats(w, "weights", 2, "a square (n, n) matrix");
        const py::array a = py::array::ensure(w);
        if (a.shape(0) != a.shape(1) || a.shape(0) < 1)
            throw BadArgument(fmt::format("weights must be a square (n, n) matrix; its shape is {}",
                                          py::str(a.attr("shape")).cast<std::string>()));
        net.n = static_cast<uint32_t>(a.shape(0));
        if (!theta.is_none()) {
            net.theta = read_floats(theta, "thresholds", 1, "one-dimensional (n,)");
            if (net.theta.size() != net.n)
                throw BadArgument(fmt::format("thresholds has {} values for {} neurons", net.theta.size(), net.n));
        }
        return net;
    }
    std::mutex mu_;
    FloatTwin twin_;
};


// ---------------------------------------------------------------- the MNIST classifier

py::object json_to_py(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }
nlohmann::json py_to_json(py::handle o) {
    return nlohmann::json::parse(py::module_::import("json").attr("dumps")(o).cast<std::string>());
}

// The prototype classifier (host/classify): trained or loaded, quantized for a
// chip, images encoded as initial states. The study's loops over images are the
// chips' classify calls (mind1024.Classifier in Python).
class Classifier {
public:
    explicit Classifier(TrainedClassifier t) : t_(std::move(t)) {}

    static Classifier load(const std::string& dir) {
        py::gil_scoped_release nogil;
        return Classifier(load_classifier(dir));
    }
    void save(const std::string& dir) const { save_classifier(t_, dir); }

    // images (N, rows, cols) uint8, labels (N,): the training set as the IDX reader gives it.
    static Classifier train(py::handle images, py::handle labels, py::handle config) {
        MnistSet set = mnist_set(images, labels);
        nlohmann::json j = classifier_config_json(ClassifierConfig{});
        j.merge_patch(py_to_json(config));
        const ClassifierConfig cfg = classifier_config_from_json(j, "Classifier.train's settings");
        py::gil_scoped_release nogil;
        return Classifier(train_classifier(set, cfg));
    }
    static py::object default_config() { return json_to_py(classifier_config_json(ClassifierConfig{})); }

    py::object config() const { return json_to_py(classifier_config_json(t_.cfg)); }
    py::dict layout() const {
        const ClassifierLayout& l = t_.layout;
        return py::dict(py::arg("classes") = l.classes, py::arg("pixels") = l.pixels, py::arg("first_proto") = l.first_proto,
                        py::arg("protos") = l.protos, py::arg("first_label") = l.first_label, py::arg("labels") = l.labels,
                        py::arg("reps") = t_.cfg.label_reps, py::arg("n") = l.n);
    }
    py::array_t<float> weights() const {
        return to_numpy(std::vector<float>(t_.net.w), {static_cast<ssize_t>(t_.net.n), static_cast<ssize_t>(t_.net.n)});
    }
    py::array_t<float> thresholds() const { return to_numpy(std::vector<float>(t_.net.theta)); }
    py::array_t<uint8_t> clamp() const { return to_numpy(std::vector<uint8_t>(t_.clamp)); }
    py::object training() const {
        py::dict d;
        d["tune_violations"] = t_.tune_violations;
        d["attractor_errors"] = t_.attractor_errors;
        d["validation"] = json_to_py(validation_json(t_));
        d["train_seconds"] = t_.train_seconds;
        return std::move(d);
    }

    py::dict quantize(const ChipParams& p, const std::string& scale, const std::string& rounding, uint64_t seed) const {
        p.validate();
        if (t_.layout.n > p.n_max)
            throw BadArgument(fmt::format("the classifier has {} neurons; the chip has N_MAX = {}", t_.layout.n, p.n_max));
        ChipNetwork q = quantize_classifier(t_, p.wbits, p.abits, parse_scale_policy(scale), parse_rounding(rounding), seed);
        const ssize_t n = q.weights.n;
        py::dict d;
        d["weights"] = to_numpy(std::move(q.weights.w), {n, n});
        d["thresholds"] = to_numpy(std::move(q.thresholds));
        d["scale"] = q.weight_report.scale;
        d["scale_limited_by"] = q.scale_limited_by;
        d["weights_clipped_fraction"] = q.weight_report.clipped_fraction;
        d["weight_rms_error"] = q.weight_report.rms_error;
        d["thresholds_clipped"] = q.thresholds_clipped;
        return d;
    }

    const TrainedClassifier& trained() const { return t_; }

    // Each image (rows, cols) encoded (crop, threshold) into the network's initial state: (B, n) int8.
    py::array_t<int8_t> states(py::handle images) const {
        auto a = py::array_t<uint8_t, py::array::c_style>::ensure(images);
        if (!a || py::array::ensure(images).dtype().kind() != 'u' || py::array::ensure(images).itemsize() != 1)
            throw ArgTypeError("images must be a uint8 array (B, rows, cols), as MNIST stores them");
        if (a.ndim() != 3) throw BadArgument(fmt::format("images must be (B, rows, cols); the shape is {}",
                                                         py::str(a.attr("shape")).cast<std::string>()));
        const uint32_t rows = static_cast<uint32_t>(a.shape(1)), cols = static_cast<uint32_t>(a.shape(2));
        const size_t b = a.shape(0), n = t_.layout.n;
        std::vector<int8_t> out(b * n);
        for (size_t k = 0; k < b; ++k) {
            const auto s = initial_state(t_, encode_image(a.data() + k * rows * cols, rows, cols, t_.cfg.coding));
            std::copy(s.begin(), s.end(), out.begin() + k * n);
        }
        return to_numpy(std::move(out), {static_cast<ssize_t>(b), static_cast<ssize_t>(n)});
    }

private:
    static MnistSet mnist_set(py::handle images, py::handle labels) {
        py::array ai = py::array::ensure(images), al = py::array::ensure(labels);
        if (!ai || ai.dtype().kind() != 'u' || ai.itemsize() != 1 || ai.ndim() != 3)
            throw ArgTypeError("images must be a uint8 array (N, rows, cols), as MNIST stores them");
        auto img = py::array_t<uint8_t, py::array::c_style>::ensure(ai);
        IntArray l = int_array(labels, "labels", 1, "one-dimensional (N,)");
        if (l.shape[0] != ai.shape(0))
            throw BadArgument(fmt::format("{} images but {} labels", ai.shape(0), l.shape[0]));
        MnistSet s;
        s.count = static_cast<uint32_t>(ai.shape(0));
        s.rows = static_cast<uint32_t>(ai.shape(1));
        s.cols = static_cast<uint32_t>(ai.shape(2));
        s.images.assign(img.data(), img.data() + img.size());
        s.labels.resize(s.count);
        read_ints(l, "labels", s.labels.data(), in_range(0, 255), "is not a class label (0..255)");
        return s;
    }
    TrainedClassifier t_;
};

// ---------------------------------------------------------------- the fault campaign

// host/study's run_fault_campaign on a chip of this process (reference or
// engine): every kind x rate, the classifier's accuracy on the chip and on the
// float twin, and a Hebb memory's recall. Columns of NumPy arrays.
py::dict fault_campaign(Chip& chip, const Classifier& clf, py::handle images, py::handle labels, py::dict opts) {
    FaultCampaign c;
    if (opts.contains("kinds")) c.kinds = opts["kinds"].cast<std::vector<std::string>>();
    if (opts.contains("rates")) c.rates = opts["rates"].cast<std::vector<double>>();
    for (const std::string& k : c.kinds)
        if (std::find(fault_kinds().begin(), fault_kinds().end(), k) == fault_kinds().end())
            throw BadArgument(fmt::format("fault kind '{}': the kinds are syn, seu, neuron and acc", k));
    for (double r : c.rates)
        if (!(r >= 0 && r <= 1)) throw BadArgument(fmt::format("fault rate {} is outside 0..1", r));
    if (c.kinds.empty() || c.rates.empty()) throw BadArgument("a fault campaign needs at least one kind and one rate");
    c.fault_seed = opts["seed"].cast<uint64_t>();
    c.seu_at = opts["seu_at"].cast<uint64_t>();
    c.recall = opts["recall"].cast<bool>();
    c.patterns = u32(opts["patterns"], "patterns", 1);
    c.probes = u32(opts["probes"], "probes", 1);
    c.flip = opts["flip"].cast<double>();
    if (!(c.flip >= 0 && c.flip <= 1)) throw BadArgument(fmt::format("flip = {} is outside 0..1", c.flip));
    c.wrap = opts["wrap"].cast<bool>();
    const ChipParams& p = chip.params();
    const TrainedClassifier& t = clf.trained();
    if (t.layout.n > p.n_max)
        throw BadArgument(fmt::format("the classifier has {} neurons; the chip has N_MAX = {}", t.layout.n, p.n_max));
    auto img = py::array_t<uint8_t, py::array::c_style>::ensure(images);
    if (!img || py::array::ensure(images).dtype().kind() != 'u' || img.itemsize() != 1 || img.ndim() != 3)
        throw ArgTypeError("images must be a uint8 array (B, rows, cols), as MNIST stores them");
    IntArray l = int_array(labels, "labels", 1, "one-dimensional (B,)");
    if (l.shape[0] != img.shape(0)) throw BadArgument(fmt::format("{} images but {} labels", img.shape(0), l.shape[0]));
    const size_t b = img.shape(0);
    const uint32_t rows = static_cast<uint32_t>(img.shape(1)), cols = static_cast<uint32_t>(img.shape(2));
    std::vector<uint8_t> lab(b);
    read_ints(l, "labels", lab.data(), in_range(0, 255), "is not a class label (0..255)");
    std::vector<std::vector<int8_t>> pixels(b);
    for (size_t k = 0; k < b; ++k) pixels[k] = encode_image(img.data() + k * rows * cols, rows, cols, t.cfg.coding);
    const ChipNetwork q = quantize_classifier(t, p.wbits, p.abits, parse_scale_policy(opts["scale"].cast<std::string>()),
                                              parse_rounding(opts["rounding"].cast<std::string>()),
                                              opts["quantize_seed"].cast<uint64_t>());
    const auto pts = chip.with_driver([&](ChipDriver& d) {
        if (!d.takes_faults())
            throw BadArgument(fmt::format("a fault campaign injects faults into a chip of this process: the {} backend's "
                                          "faults are its board process's own; use backend='engine' or 'reference' "
                                          "(the same bits as the SystemC chip)",
                                          d.name()));
        return run_fault_campaign(d, t, q, {&pixels, &lab}, c);
    });
    const size_t n = pts.size();
    std::vector<double> rate(n), mc(n), mf(n), rc(n), rf(n);
    std::vector<uint64_t> sites(n);
    py::list kind, spec;
    for (size_t k = 0; k < n; ++k) {
        const FaultPoint& f = pts[k];
        kind.append(f.kind), spec.append(f.spec);
        rate[k] = f.rate, sites[k] = f.sites, mc[k] = f.mnist_chip, mf[k] = f.mnist_float;
        rc[k] = c.recall ? f.recall_chip : std::nan(""), rf[k] = c.recall ? f.recall_float : std::nan("");
    }
    py::dict d;
    d["kind"] = kind;
    d["rate"] = to_numpy(std::move(rate));
    d["spec"] = spec;
    d["sites"] = to_numpy(std::move(sites));
    d["mnist_chip"] = to_numpy(std::move(mc));
    d["mnist_float"] = to_numpy(std::move(mf));
    d["recall_chip"] = to_numpy(std::move(rc));
    d["recall_float"] = to_numpy(std::move(rf));
    return d;
}

// ---------------------------------------------------------------- ChipParams from the table

py::object param_value(const ChipParamInfo& k, const ChipParams& p) {
    const double v = k.get(p);
    return k.integer ? py::object(py::int_(static_cast<uint64_t>(v))) : py::object(py::float_(v));
}

// One parameter from Python, checked against the table's range (BadArgument naming it).
void set_param(const ChipParamInfo& k, ChipParams& p, py::handle v) {
    double x;
    if (k.integer) {
        x = static_cast<double>(whole(v, k.member, static_cast<uint64_t>(k.lo), static_cast<uint64_t>(k.hi)));
    } else {
        if (PyUnicode_Check(v.ptr()) || PyBytes_Check(v.ptr()))
            throw ArgTypeError(fmt::format("{} must be a number", k.member));
        x = PyFloat_AsDouble(v.ptr());
        if (x == -1.0 && PyErr_Occurred()) throw py::error_already_set();
        if (!(x >= k.lo && x <= k.hi))
            throw BadArgument(fmt::format("{} = {:g} is outside {:g}..{:g} {}", k.member, x, k.lo, k.hi, k.unit));
    }
    k.set(p, x);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "mind1024's C++ core: chip drivers (reference model, board process over a socket) and the float twin. "
              "Use the package mind1024, not this module.";

    {
        py::module_ errs = py::module_::import("mind1024._errors");
        PyErrors& e = py_errors();
        e.chip = errs.attr("ChipError");
        e.bad_argument = errs.attr("BadArgument");
        e.board = errs.attr("BoardError");
        e.bus = errs.attr("BusError");
        e.busy = errs.attr("BusyError");
    }
    py::register_exception_translator(&translate);

    // ChipParams: every field, its range and help from the one table (sysc/chip_params.h).
    py::class_<ChipParams> cp(m, "ChipParams",
                              "A chip's build-time parameters (contract section 1). Every field is checked against "
                              "its range when set; BadArgument names it.");
    cp.def(py::init([](py::kwargs kw) {
               ChipParams p;
               for (auto item : kw) {
                   const std::string key = py::str(item.first);
                   const ChipParamInfo* k = find_chip_param(key);
                   if (!k || key != k->member) {
                       std::string names;
                       for (const ChipParamInfo& i : chip_param_table()) names += std::string(names.empty() ? "" : ", ") + i.member;
                       throw ArgTypeError(fmt::format("ChipParams has no parameter '{}' (the parameters: {})", key, names));
                   }
                   set_param(*k, p, item.second);
               }
               return p;
           }),
           "ChipParams(**parameters): the defaults with the given ones replaced.");
    for (const ChipParamInfo& k : chip_param_table()) {
        const ChipParamInfo* info = &k;
        cp.def_property(
            k.member, [info](const ChipParams& p) { return param_value(*info, p); },
            [info](ChipParams& p, py::handle v) { set_param(*info, p, v); },
            // "type: text": what stubgen and IDEs read as the property's type.
            fmt::format("{}: {}, {}", k.integer ? "int" : "float", k.name, chip_param_help(k)).c_str());
    }
    cp.def("__eq__", [](const ChipParams& a, const ChipParams& b) { return a == b; }, py::is_operator());
    cp.def("__hash__", [](const ChipParams& p) { return py::hash(py::str(p.describe())); });
    cp.def("describe", &ChipParams::describe, "The parameters by their contract names, e.g. 'N_MAX=1024 WBITS=8 ...'.");
    cp.def("to_dict", [](const ChipParams& p) {
        py::dict d;
        for (const ChipParamInfo& k : chip_param_table()) d[k.member] = param_value(k, p);
        return d;
    }, "The parameters as a dict, by field name.");
    cp.def("__repr__", [](const ChipParams& p) {
        std::string s = "ChipParams(";
        for (const ChipParamInfo& k : chip_param_table())
            s += fmt::format("{}{}={}", s.size() > 11 ? ", " : "", k.member, py::repr(param_value(k, p)).cast<std::string>());
        return s + ")";
    });
    cp.def(py::pickle([](const ChipParams& p) { return py::make_tuple(py::cast(p).attr("to_dict")()); },
                      [](py::tuple t) {
                          ChipParams p;
                          for (auto item : t[0].cast<py::dict>()) set_param(*find_chip_param(py::str(item.first)), p, item.second);
                          return p;
                      }));

    m.def("chip_param_table", [] {
        py::list l;
        for (const ChipParamInfo& k : chip_param_table())
            l.append(py::dict(py::arg("member") = k.member, py::arg("name") = k.name, py::arg("option") = k.option,
                              py::arg("integer") = k.integer, py::arg("lo") = k.lo, py::arg("hi") = k.hi,
                              py::arg("unit") = k.unit, py::arg("help") = chip_param_help(k),
                              py::arg("default") = param_value(k, ChipParams{})));
        return l;
    }, "The chip's parameters as data: member, contract name, option, integer, range, unit, help, default.");
    m.def("parse_faults", [](const std::string& s, std::optional<ChipParams> p) {
              const FaultSpec f = FaultSpec::parse(s);
              if (p) FaultPlan::expand(f, *p);  // and fits the chip (accumulator masks within ABITS)
              return f.to_string();
          }, py::arg("spec"), py::arg("params") = py::none(),
          "A fault SPEC checked (for a chip of `params`, if given) and in its canonical form; BadArgument names a bad item.");

    py::class_<RunResult>(m, "RunResult", "What a run did: the chip's counters after START (or STEP).")
        .def_readonly("sweeps", &RunResult::sweeps, "sweeps run")
        .def_readonly("flips", &RunResult::flips, "neurons that flipped in the last sweep")
        .def_readonly("cycles", &RunResult::cycles, "compute cycles of this run (0 on the float twin)")
        .def_readonly("overflows", &RunResult::ovf_count, "accumulator overflow events (0 on the float twin)")
        .def_readonly("converged", &RunResult::converged, "the last sweep flipped nothing")
        .def_readonly("cycle2", &RunResult::cycle2, "SYNC order ended in a 2-cycle")
        .def_readonly("sim_seconds", &RunResult::sim_seconds, "simulated time of the call (bus and compute)")
        .def("to_dict", [](const RunResult& r) {
            return py::dict(py::arg("sweeps") = r.sweeps, py::arg("flips") = r.flips, py::arg("cycles") = r.cycles,
                            py::arg("overflows") = r.ovf_count, py::arg("converged") = r.converged,
                            py::arg("cycle2") = r.cycle2, py::arg("sim_seconds") = r.sim_seconds);
        }, "The counters as a dict.")
        .def("__eq__", [](const RunResult& a, const RunResult& b) {
            return a.sweeps == b.sweeps && a.flips == b.flips && a.cycles == b.cycles && a.ovf_count == b.ovf_count &&
                   a.converged == b.converged && a.cycle2 == b.cycle2;
        }, py::is_operator(), "Equal counters (simulated time aside: it depends on the path to the chip).")
        .def("__repr__", [](const RunResult& r) {
            return fmt::format("RunResult(sweeps={}, flips={}, cycles={}, overflows={}, converged={}, cycle2={})",
                               r.sweeps, r.flips, r.cycles, r.ovf_count, r.converged ? "True" : "False",
                               r.cycle2 ? "True" : "False");
        });

    py::class_<RunParams>(m, "RunParams", "Checked run parameters (built by mind1024, not by hand).");
    m.def("run_params", &make_run_params, py::arg("order"), py::arg("max_sweeps"), py::arg("n_active"), py::arg("wrap"),
          py::arg("noise"), py::arg("seed"));

    py::class_<Layered>(m, "LayeredNet", "The layered binary network in integers (see mind1024.LayeredNet).")
        .def_static("from_arrays", &Layered::from_arrays, py::arg("w1"), py::arg("t1"), py::arg("w2"), py::arg("b2"),
                    py::arg("wbits"), py::arg("quantize"))
        .def_static("load", &Layered::load, py::arg("directory"))
        .def("save", &Layered::save, py::arg("directory"), py::arg("accuracy"), py::arg("extra"), py::arg("s1"),
             py::arg("s2"))
        .def("arrays", &Layered::arrays)
        .def("layers", &Layered::layers)
        .def("wbits", &Layered::wbits)
        .def("accumulator_bits", &Layered::accumulator_bits)
        .def("quantization", &Layered::quantization)
        .def("run", &Layered::run, py::arg("images"))
        .def("check_fits", &Layered::check_fits, py::arg("params"));

    py::class_<Chip>(m, "Chip", "A chip driver (see mind1024.Chip).")
        .def(py::init<const ChipParams&, const std::string&, const std::string&, const std::string&, double>(),
             py::arg("params"), py::arg("where"), py::arg("mode"), py::arg("faults"), py::arg("timeout"))
        .def_property_readonly("params", [](const Chip& c) { return c.params(); })
        .def_property_readonly("name", &Chip::name)
        .def_property_readonly("closed", &Chip::closed)
        .def("close", &Chip::close)
        .def("load_weights", &Chip::load_weights, py::arg("weights"))
        .def("read_weights", &Chip::read_weights, py::arg("n"))
        .def("load_thresholds", &Chip::load_thresholds, py::arg("thresholds"))
        .def("set_state", &Chip::set_state, py::arg("state"))
        .def("set_clamp", &Chip::set_clamp, py::arg("clamp"))
        .def("state", &Chip::state)
        .def("fields", &Chip::fields, py::arg("first"), py::arg("count"))
        .def("run", &Chip::run, py::arg("params"), py::arg("single"))
        .def("hebb", &Chip::hebb, py::arg("n_active"))
        .def("clear_synapses", &Chip::clear_synapses)
        .def("reset", &Chip::reset)
        .def("cycles", &Chip::cycles)
        .def("run_many", &Chip::run_many, py::arg("states"), py::arg("params"))
        .def("classify", &Chip::classify, py::arg("states"), py::arg("first_label"), py::arg("classes"), py::arg("reps"),
             py::arg("protos"), py::arg("params"))
        .def("load_layered", &Chip::load_layered, py::arg("net"))
        .def("classify_layered", &Chip::classify_layered, py::arg("net"), py::arg("images"), py::arg("hidden"));

    py::class_<Twin>(m, "FloatTwin", "The float twin (see mind1024.FloatTwin).")
        .def(py::init<py::handle, py::handle, double>(), py::arg("weights"), py::arg("thresholds"), py::arg("scale"))
        .def_property_readonly("n", &Twin::n)
        .def("set_state", &Twin::set_state, py::arg("state"))
        .def("set_clamp", &Twin::set_clamp, py::arg("clamp"))
        .def("state", &Twin::state)
        .def("fields", &Twin::fields)
        .def("energy", &Twin::energy)
        .def("run", &Twin::run, py::arg("params"), py::arg("single"))
        .def("run_many", &Twin::run_many, py::arg("states"), py::arg("params"))
        .def("classify", &Twin::classify, py::arg("states"), py::arg("first_label"), py::arg("classes"), py::arg("reps"),
             py::arg("protos"), py::arg("params"));

    m.def("load_mnist", [](const std::string& dir, bool train) {
        MnistSet s;
        {
            py::gil_scoped_release nogil;
            s = load_mnist_split(resolve_data_dir(dir), train ? Split::Train : Split::Test);
        }
        const ssize_t count = s.count, rows = s.rows, cols = s.cols;
        return py::make_tuple(to_numpy(std::move(s.images), {count, rows, cols}), to_numpy(std::move(s.labels)));
    }, py::arg("directory"), py::arg("train"));

    py::class_<Classifier>(m, "Classifier", "The MNIST prototype classifier (see mind1024.Classifier).")
        .def_static("load", &Classifier::load, py::arg("directory"))
        .def_static("train", &Classifier::train, py::arg("images"), py::arg("labels"), py::arg("config"))
        .def_static("default_config", &Classifier::default_config)
        .def("save", &Classifier::save, py::arg("directory"))
        .def("config", &Classifier::config)
        .def("layout", &Classifier::layout)
        .def("weights", &Classifier::weights)
        .def("thresholds", &Classifier::thresholds)
        .def("clamp", &Classifier::clamp)
        .def("training", &Classifier::training)
        .def("quantize", &Classifier::quantize, py::arg("params"), py::arg("scale"), py::arg("rounding"), py::arg("seed"))
        .def("states", &Classifier::states, py::arg("images"));
    m.def("fault_campaign", &fault_campaign, py::arg("chip"), py::arg("classifier"), py::arg("images"),
          py::arg("labels"), py::arg("options"));
}
