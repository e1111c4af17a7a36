//===- frontend/optim/JsonFields.h - Reading state_dict JSON ----*- C++ -*-===//
//
// The checked reads the optimizers', schedulers' and GradScaler's
// load_state_dict make of their JSON state (PyTorch's state_dict dicts): a
// missing key or a value of the wrong kind is an nnc::Error naming `where`
// and the key. Internal to frontend/optim/.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_OPTIM_JSONFIELDS_H
#define NNC_FRONTEND_OPTIM_JSONFIELDS_H

#include "frontend/Error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace nnc::optim::detail {

using nlohmann::ordered_json;

/// `text` parsed as a JSON object; `what` names it in errors ("the
/// state_dict").
inline ordered_json parseJsonObject(const std::string &text,
                                    const std::string &where,
                                    const std::string &what) {
  ordered_json value;
  try {
    value = ordered_json::parse(text);
  } catch (const ordered_json::parse_error &e) {
    throw Error(where + ": " + what + " is not valid JSON: " + e.what());
  }
  if (!value.is_object())
    throw Error(where + ": " + what + " must be a JSON object, got " +
                value.dump());
  return value;
}

inline const ordered_json &field(const ordered_json &object, const char *key,
                                 const std::string &where) {
  auto it = object.find(key);
  if (it == object.end())
    throw Error(where + ": missing '" + key + "'");
  return *it;
}

inline double numberField(const ordered_json &object, const char *key,
                          const std::string &where) {
  const ordered_json &value = field(object, key, where);
  if (!value.is_number())
    throw Error(where + ": '" + key + "' must be a number, got " +
                value.dump());
  return value.get<double>();
}

inline int64_t integerField(const ordered_json &object, const char *key,
                            const std::string &where) {
  const ordered_json &value = field(object, key, where);
  if (!value.is_number_integer())
    throw Error(where + ": '" + key + "' must be an integer, got " +
                value.dump());
  return value.get<int64_t>();
}

inline bool boolField(const ordered_json &object, const char *key,
                      const std::string &where) {
  const ordered_json &value = field(object, key, where);
  if (!value.is_boolean())
    throw Error(where + ": '" + key + "' must be true or false, got " +
                value.dump());
  return value.get<bool>();
}

} // namespace nnc::optim::detail

#endif // NNC_FRONTEND_OPTIM_JSONFIELDS_H
