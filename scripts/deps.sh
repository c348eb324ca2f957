# Sourced by demo.sh and test.sh: installs the Debian packages wst needs to
# build and test when they are missing (with apt-get, as root), or says
# exactly what to install.
WST_PACKAGES=(
    g++ cmake make pkg-config
    libeigen3-dev libfftw3-dev          # the library
    catch2 nlohmann-json3-dev libbenchmark-dev  # tests and benchmarks
    libcli11-dev libsndfile1-dev libzip-dev gnuplot-nox  # command-line tools and examples
    python3-numpy                       # checks the tools' .npy/.npz output from outside
    pybind11-dev python3-dev python3-pytest  # the Python package and its tests
    python3-torch python3-sklearn       # its torch and scikit-learn frontends (optional for users)
    python3-dask python3-distributed python3-soundfile python3-tqdm  # examples/python/dataset_features.py
    clang libclang-rt-dev               # libFuzzer targets
)

wst_install_dependencies() {
    local missing=()
    for p in "${WST_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "Installing: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        echo "Missing packages: ${missing[*]}" >&2
        echo "Install them with: sudo apt-get install ${missing[*]}" >&2
        return 1
    fi
}
