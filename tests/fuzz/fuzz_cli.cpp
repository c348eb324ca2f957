// libFuzzer target: the command-line parsing of wst-scatter and
// wst-reconstruct (--jtfs too) up to the checked transform parameters (the work before
// any file is touched). The first byte picks the tool, the next two the
// signal length, the rest is the argument list, NUL-separated. Bad options
// end in CLI11's parse errors, std::runtime_error or wst::invalid_argument.
#include "tools/reconstruct_options.hpp"
#include "tools/scatter_options.hpp"

#include <wst/jtfs_parameters.hpp>
#include <wst/parameters.hpp>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const bool scatter = (data[0] & 1) == 0;
    const long long shape = 1 + (static_cast<long long>(data[1]) << 8 | data[2]);
    std::vector<std::string> args(1);  // without the program's name
    for (std::size_t i = 3; i < size; ++i) {
        if (data[i] == 0)
            args.emplace_back();
        else
            args.back().push_back(static_cast<char>(data[i]));
    }
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last to first
    try {
        CLI::App app;
        if (scatter) {
            tools::scatter_options o;
            tools::add_scatter_options(app, o);
            app.parse(reversed);
            if (o.jtfs)
                wst::make_jtfs_geometry(tools::jtfs_params(o, shape));
            else
                wst::make_geometry(tools::scatter_params(o, shape));
        } else {
            tools::reconstruct_options o;
            tools::add_reconstruct_options(app, o);
            app.parse(reversed);
            if (o.jtfs)
                wst::make_jtfs_geometry(tools::reconstruct_jtfs_params(o, shape));
            else
                wst::make_geometry(tools::reconstruct_params(o, shape));
            tools::reconstruction_settings(o);
        }
    } catch (const CLI::Error&) {
    } catch (const std::runtime_error&) {
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
