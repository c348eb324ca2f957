// Errors raised by wst for bad parameters or bad input.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace wst {

// Thrown for every invalid parameter or input. The message always names the
// parameter, the value that was given and what is allowed, so that a caller
// can show it to a user as it is.
class invalid_argument : public std::invalid_argument {
public:
    invalid_argument(std::string parameter, const std::string& message)
        : std::invalid_argument(message), parameter_(std::move(parameter)) {}

    // Name of the offending parameter ("J", "Q", "T", "x", ...).
    const std::string& parameter() const noexcept { return parameter_; }

private:
    std::string parameter_;
};

namespace detail {

// Builds "<parameter> = <value> is invalid: <allowed>" and throws it.
template <class Value>
[[noreturn]] void reject(const std::string& parameter, const Value& value,
                         const std::string& allowed) {
    std::ostringstream os;
    os << parameter << " = " << value << " is invalid: " << allowed;
    throw invalid_argument(parameter, os.str());
}

}  // namespace detail
}  // namespace wst
