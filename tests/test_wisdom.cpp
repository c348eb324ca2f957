// FFTW's wisdom cache (wst/backend/fftw_wisdom.hpp) and the planning
// choice: written atomically, read back, a corrupt file ignored; automatic
// planning from WST_FFTW_PLANNING, a bad value refused by name.
#include <wst/wst.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

// A fresh folder under the system's temporary one, removed at the end.
struct temporary_folder {
    std::filesystem::path path;
    temporary_folder() {
        path = std::filesystem::temp_directory_path() / ("wst_wisdom_test_" + std::to_string(::getpid()));
        std::filesystem::remove_all(path);
    }
    ~temporary_folder() { std::filesystem::remove_all(path); }
};

// The environment variable name set to value for a scope, then restored.
struct scoped_environment {
    std::string name;
    bool had = false;
    std::string old;
    scoped_environment(const std::string& n, const char* value) : name(n) {
        if (const char* v = std::getenv(n.c_str())) {
            had = true;
            old = v;
        }
        if (value)
            setenv(n.c_str(), value, 1);
        else
            unsetenv(n.c_str());
    }
    ~scoped_environment() {
        if (had)
            setenv(name.c_str(), old.c_str(), 1);
        else
            unsetenv(name.c_str());
    }
};

}  // namespace

TEST_CASE("FFTW wisdom: saved atomically, read back, a corrupt file ignored", "[wisdom]") {
    const temporary_folder folder;
    const std::string path = (folder.path / "nested" / "wisdom").string();
    CHECK_FALSE(wst::fftw::load_wisdom(path));  // absent
    {
        // A measured plan, so that there is wisdom to save (a length no
        // transform of the suite uses: its estimated plans stay as they are).
        const wst::fftw::plan<double> p(wst::fftw::transform::real_to_complex, 46, FFTW_MEASURE);
        const wst::fftw::plan<float> q(wst::fftw::transform::real_to_complex, 46, FFTW_MEASURE);
    }
    REQUIRE(wst::fftw::save_wisdom(path));
    for (const char* suffix : {".f64", ".f32"}) {
        std::ifstream in(path + suffix);
        std::string first_line;
        std::getline(in, first_line);
        CHECK(first_line.rfind("(fftw-3.3", 0) == 0);
    }
    for (const auto& entry : std::filesystem::directory_iterator(folder.path / "nested"))
        CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);
    CHECK(wst::fftw::load_wisdom(path));

    std::ofstream(path + ".f64") << "(fftw-3.3.10 fftw_wisdom #x1 #x2 #x3 #x4 (broken";
    CHECK_FALSE(wst::fftw::load_wisdom(path));
    // FFTW still plans and transforms after the broken file.
    const wst::Scattering1D<wst::backend::fftw, double> S({.J = 4, .shape = 256}, {.planning = wst::planning::estimate});
    CHECK(S.scattering(wst::signal_array<double>::Ones(1, 256)).size() > 0);
}

TEST_CASE("planning automatic: WST_FFTW_PLANNING, a time-limited measure when unset, a bad value refused by name",
          "[wisdom]") {
    using context = wst::backend::fftw::context<double>;
    {
        const scoped_environment unset("WST_FFTW_PLANNING", nullptr);
        CHECK(context::planner_for(wst::planning::automatic).flags == FFTW_MEASURE);
        CHECK(context::planner_for(wst::planning::automatic).time_limit == context::automatic_time_limit);
        CHECK(context::planner_for(wst::planning::measure).time_limit < 0);  // asked for: no limit
    }
    {
        const scoped_environment patient("WST_FFTW_PLANNING", "patient");
        CHECK(context::planner_for(wst::planning::automatic).flags == FFTW_PATIENT);
        CHECK(context::planner_for(wst::planning::automatic).time_limit < 0);
        CHECK(context::planner_for(wst::planning::estimate).flags == FFTW_ESTIMATE);  // an explicit choice wins
    }
    {
        const scoped_environment estimate("WST_FFTW_PLANNING", "estimate");
        CHECK(context::planner_for(wst::planning::automatic).flags == FFTW_ESTIMATE);
        CHECK(context::planner_for(wst::planning::measure).flags == FFTW_MEASURE);
    }
    {
        const scoped_environment bad("WST_FFTW_PLANNING", "fastest");
        CHECK_THROWS_WITH(context::planner_for(wst::planning::automatic),
                          Catch::Contains("WST_FFTW_PLANNING") && Catch::Contains("fastest") &&
                              Catch::Contains("estimate, measure or patient"));
    }
}

TEST_CASE("preplan builds the transforms of given configurations, both precisions", "[wisdom]") {
    CHECK_NOTHROW(wst::preplan({{.J = 4, .shape = 256}}, {{.J = 4, .J_fr = 2, .Q = 4, .shape = 256}}, wst::planning::estimate));
    CHECK_THROWS_AS(wst::preplan({{.J = 0, .shape = 256}}), std::invalid_argument);  // a bad configuration, named
}
