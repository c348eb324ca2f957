// The shared ending of the command-line tools' main(): parse, run, and turn
// every failure into one line on stderr and a non-zero exit status.
#pragma once

#include <CLI/CLI.hpp>

#include <exception>
#include <functional>
#include <iostream>
#include <string>

namespace tools {

// --help prints the usage and exits 0; a parse error exits 2, a failure of
// run() exits 1, each with "<name>: <message>".
inline int parse_and_run(CLI::App& app, int argc, char** argv, const std::function<int()>& run) {
    const std::string name = app.get_name();
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::ParseError& e) {
        std::cerr << name << ": " << e.what() << " (see --help)\n";
        return 2;
    }
    try {
        return run();
    } catch (const std::exception& e) {
        std::cerr << name << ": " << e.what() << '\n';
        return 1;
    }
}

}  // namespace tools
