// mind1024: the host program for the virtual MIND 1024 board.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <string>

#include <systemc>

#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/board/in_process_transport.h"

// libsystemc references sc_main; this program enters through main() and
// starts the simulation itself, so sc_main is never called.
extern "C" int sc_main(int, char**) { return 1; }

int main(int argc, char** argv) {
    // SystemC prints its banner when the first module is built; keep stdout for results.
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    using namespace mind1024::host;
    set_command_line(argc, argv);
    CLI::App app{"mind1024: drive the virtual MIND 1024 neural board (SystemC chip) from the host"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("mind1024 ") + program_version());
    std::map<CLI::App*, Command> commands;
    auto add = [&](Command (*f)(CLI::App&)) {
        const size_t before = app.get_subcommands({}).size();
        Command c = f(app);
        commands[app.get_subcommands({})[before]] = std::move(c);
    };
    add(add_mnist_command);
    add(add_run_command);
    add(add_recall_command);
    add(add_capacity_command);
    add(add_sweep_command);
    add(add_faults_command);
    add(add_layered_command);
    add(add_report_command);
    add(add_dse_command);
    // A first word that is neither an option nor a command: name it, and the commands there are.
    if (argc > 1 && argv[1][0] != '-') {
        std::string list;
        bool known = false;
        for (CLI::App* sub : app.get_subcommands({})) {
            known = known || sub->check_name(argv[1]);
            list += (list.empty() ? "" : ", ") + sub->get_name();
        }
        if (!known) {
            std::fprintf(stderr, "mind1024: error: unknown command '%s'; the commands are %s (mind1024 --help)\n",
                         argv[1], list.c_str());
            return 2;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    int rc = 0;
    try {
        for (auto& [sub, cmd] : commands)
            if (sub->parsed()) rc = cmd();
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "mind1024: error: out of memory (an input asked for more than this machine could allocate)\n");
        rc = 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mind1024: error: %s\n", e.what());
        rc = 1;
    }
    try {
        InProcessTransport::finish_trace(rc == 0);
    } catch (const std::exception& e) {  // a trace that could not be written whole is a failed run
        std::fprintf(stderr, "mind1024: error: %s\n", e.what());
        rc = 1;
    }
    // Tables and results on stdout are output too: a full disk or /dev/full is an error.
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        std::fprintf(stderr, "mind1024: error: cannot write to standard output: %s\n", std::strerror(errno));
        if (rc == 0) rc = 1;
    }
    return rc;
}
