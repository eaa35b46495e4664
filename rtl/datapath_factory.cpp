#include "rtl/datapath_factory.h"

#include <stdexcept>

#ifdef MIND1024_HAVE_RTL
#include "rtl/verilated_datapath.h"
#endif

namespace mind1024::rtl {

std::vector<std::string> datapath_names() { return {"cpp", "rtl"}; }

bool have_rtl_datapath() {
#ifdef MIND1024_HAVE_RTL
    return true;
#else
    return false;
#endif
}

std::shared_ptr<engine::Datapath> make_datapath(const std::string& name, const ChipParams& p) {
    if (name == "cpp") return nullptr;
    if (name != "rtl") throw std::invalid_argument("unknown datapath '" + name + "' (cpp, rtl)");
#ifdef MIND1024_HAVE_RTL
    return std::make_shared<VerilatedDatapath>(p);
#else
    (void)p;
    throw std::invalid_argument(
        "datapath rtl: this build has no Verilated datapath (configure with MIND1024_RTL=ON and Verilator)");
#endif
}

}  // namespace mind1024::rtl
