//===- frontend/Error.h - The error every user mistake raises ---*- C++ -*-===//
//
// Like c10::Error in libtorch: one exception type for bad shapes, dtypes,
// arguments and unsupported uses, with a message that says what and where.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_ERROR_H
#define NNC_FRONTEND_ERROR_H

#include <stdexcept>
#include <string>

namespace nnc {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message) : std::runtime_error(message) {}
};

} // namespace nnc

#endif // NNC_FRONTEND_ERROR_H
