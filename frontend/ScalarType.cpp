//===- frontend/ScalarType.cpp - Element types, scalars, promotion --------===//
//
// Names and sizes of the dtypes, the 16-bit float conversions (round to
// nearest even, NaN kept quiet, as c10::Half and c10::BFloat16), and
// torch.promote_types over nnc's dtypes.
//
//===----------------------------------------------------------------------===//
#include "frontend/ScalarType.h"

#include <cmath>
#include <cstring>

namespace nnc {

std::size_t elementSize(ScalarType type) {
  switch (type) {
  case ScalarType::Float64:
  case ScalarType::Int64:
    return 8;
  case ScalarType::Float32:
  case ScalarType::Int32:
    return 4;
  case ScalarType::Float16:
  case ScalarType::BFloat16:
    return 2;
  case ScalarType::UInt8:
  case ScalarType::Bool:
    return 1;
  }
  return 0;
}

const char *toString(ScalarType type) {
  switch (type) {
  case ScalarType::Float32:
    return "Float";
  case ScalarType::Float64:
    return "Double";
  case ScalarType::Float16:
    return "Half";
  case ScalarType::BFloat16:
    return "BFloat16";
  case ScalarType::Int64:
    return "Long";
  case ScalarType::Int32:
    return "Int";
  case ScalarType::UInt8:
    return "Byte";
  case ScalarType::Bool:
    return "Bool";
  }
  return "?";
}

const char *toPythonString(ScalarType type) {
  switch (type) {
  case ScalarType::Float32:
    return "torch.float32";
  case ScalarType::Float64:
    return "torch.float64";
  case ScalarType::Float16:
    return "torch.float16";
  case ScalarType::BFloat16:
    return "torch.bfloat16";
  case ScalarType::Int64:
    return "torch.int64";
  case ScalarType::Int32:
    return "torch.int32";
  case ScalarType::UInt8:
    return "torch.uint8";
  case ScalarType::Bool:
    return "torch.bool";
  }
  return "?";
}

std::ostream &operator<<(std::ostream &os, ScalarType type) {
  return os << toString(type);
}

std::ostream &operator<<(std::ostream &os, const Scalar &s) {
  if (s.isBoolean())
    return os << (s.toBool() ? "true" : "false");
  if (s.isFloatingPoint())
    return os << s.toDouble();
  return os << s.toLong();
}

bool isFloatingType(ScalarType type) {
  return type == kFloat32 || type == kFloat64 || type == kFloat16 ||
         type == kBFloat16;
}

bool isReducedFloatingType(ScalarType type) {
  return type == kFloat16 || type == kBFloat16;
}

bool isIntegralType(ScalarType type, bool includeBool) {
  return type == kInt64 || type == kInt32 || type == kUInt8 ||
         (includeBool && type == kBool);
}

ScalarType promote_types(ScalarType a, ScalarType b) {
  if (a == b)
    return a;
  if (a == kBool)
    return b;
  if (b == kBool)
    return a;
  bool aFloat = isFloatingType(a), bFloat = isFloatingType(b);
  if (aFloat != bFloat)
    return aFloat ? a : b;
  if (aFloat) {
    // Half and BFloat16 share no format: both fit in Float.
    auto rank = [](ScalarType t) {
      return t == kFloat64 ? 2 : t == kFloat32 ? 1 : 0;
    };
    if (rank(a) == rank(b))
      return kFloat32;
    return rank(a) > rank(b) ? a : b;
  }
  auto rank = [](ScalarType t) {
    return t == kInt64 ? 2 : t == kInt32 ? 1 : 0;
  };
  return rank(a) > rank(b) ? a : b;
}

//===----------------------------------------------------------------------===//
// 16-bit floats
//===----------------------------------------------------------------------===//

namespace {

uint32_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

float floatOf(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

} // namespace

Half::Half(float value) {
  uint32_t f = bitsOf(value);
  uint32_t sign = (f >> 16) & 0x8000u;
  uint32_t magnitude = f & 0x7fffffffu;
  if (magnitude > 0x7f800000u) { // NaN: keep it quiet
    bits = static_cast<uint16_t>(sign | 0x7e00u);
    return;
  }
  if (magnitude >= 0x47800000u) { // 2^16 and above: infinity
    bits = static_cast<uint16_t>(sign | 0x7c00u);
    return;
  }
  if (magnitude < 0x38800000u) { // below half's smallest normal
    // Adding 0.5 makes the FPU round the subnormal for us.
    float scaled = floatOf(magnitude) + 0.5f;
    bits = static_cast<uint16_t>(sign | (bitsOf(scaled) - 0x3f000000u));
    return;
  }
  uint32_t mantissaOdd = (magnitude >> 13) & 1u;
  magnitude += 0xc8000fffu + mantissaOdd; // rebias exponent, round
  bits = static_cast<uint16_t>(sign | (magnitude >> 13));
}

Half::operator float() const {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0x1f)
    return floatOf(sign | 0x7f800000u | (mantissa << 13));
  if (exponent == 0) {
    // Subnormal (or zero): mantissa * 2^-24.
    float value = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -value : value;
  }
  return floatOf(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

BFloat16::BFloat16(float value) {
  uint32_t f = bitsOf(value);
  if (std::isnan(value)) {
    bits = static_cast<uint16_t>((f >> 16) | 0x0040u);
    return;
  }
  uint32_t rounding = 0x7fffu + ((f >> 16) & 1u);
  bits = static_cast<uint16_t>((f + rounding) >> 16);
}

BFloat16::operator float() const {
  return floatOf(static_cast<uint32_t>(bits) << 16);
}

} // namespace nnc
