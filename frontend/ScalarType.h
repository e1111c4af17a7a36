//===- frontend/ScalarType.h - Dtypes, scalars, promotion -------*- C++ -*-===//
//
// libtorch's dtypes (with its names: kFloat, kDouble, kHalf, kBFloat16,
// kLong, kInt, kByte, kBool), their C++ element types (nnc::Half and
// nnc::BFloat16 are 16-bit storage types that compute through float), a
// Scalar as at::Scalar (a number of bool, integer or floating kind), and
// PyTorch's type promotion.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_SCALARTYPE_H
#define NNC_FRONTEND_SCALARTYPE_H

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <type_traits>

namespace nnc {

/// Element types. Float32 and Int64 come first: code outside the eager
/// core switched on these two before the others existed.
enum class ScalarType {
  Float32,
  Int64,
  Float64,
  Float16,
  BFloat16,
  Int32,
  UInt8,
  Bool
};
constexpr ScalarType kFloat32 = ScalarType::Float32;
constexpr ScalarType kFloat = ScalarType::Float32;
constexpr ScalarType kFloat64 = ScalarType::Float64;
constexpr ScalarType kDouble = ScalarType::Float64;
constexpr ScalarType kFloat16 = ScalarType::Float16;
constexpr ScalarType kHalf = ScalarType::Float16;
constexpr ScalarType kBFloat16 = ScalarType::BFloat16;
constexpr ScalarType kInt64 = ScalarType::Int64;
constexpr ScalarType kLong = ScalarType::Int64;
constexpr ScalarType kInt32 = ScalarType::Int32;
constexpr ScalarType kInt = ScalarType::Int32;
constexpr ScalarType kUInt8 = ScalarType::UInt8;
constexpr ScalarType kByte = ScalarType::UInt8;
constexpr ScalarType kBool = ScalarType::Bool;

/// Bytes per element of `type`.
std::size_t elementSize(ScalarType type);
/// The name libtorch prints ("Float", "Double", "Half", "BFloat16", "Long",
/// "Int", "Byte", "Bool").
const char *toString(ScalarType type);
/// Python's name ("torch.float32", "torch.int64", ...), as printed in
/// `dtype=` suffixes.
const char *toPythonString(ScalarType type);
std::ostream &operator<<(std::ostream &os, ScalarType type);

/// Float32, Float64, Float16 and BFloat16.
bool isFloatingType(ScalarType type);
/// Float16 and BFloat16 (as at::isReducedFloatingType): eager kernels
/// compute them in Float32 ("opmath") and round each result back.
bool isReducedFloatingType(ScalarType type);
/// Int64, Int32 and UInt8, and Bool when `includeBool`.
bool isIntegralType(ScalarType type, bool includeBool);

/// torch.promote_types: the smallest type both convert to without losing
/// their category (bool < integer < floating).
ScalarType promote_types(ScalarType a, ScalarType b);

/// IEEE half precision, stored as its bits; arithmetic goes through float.
/// Conversions round to nearest even, as c10::Half.
struct Half {
  uint16_t bits = 0;
  Half() = default;
  Half(float value);
  operator float() const;
  static Half fromBits(uint16_t bits) {
    Half h;
    h.bits = bits;
    return h;
  }
};

/// bfloat16 (float's top 16 bits), stored as its bits; arithmetic goes
/// through float. Conversions round to nearest even, as c10::BFloat16.
struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float value);
  operator float() const;
  static BFloat16 fromBits(uint16_t bits) {
    BFloat16 b;
    b.bits = bits;
    return b;
  }
};

/// The ScalarType of C++ element type T.
template <class T> constexpr ScalarType scalarTypeOf() {
  if constexpr (std::is_same_v<T, float>)
    return kFloat32;
  else if constexpr (std::is_same_v<T, double>)
    return kFloat64;
  else if constexpr (std::is_same_v<T, Half>)
    return kFloat16;
  else if constexpr (std::is_same_v<T, BFloat16>)
    return kBFloat16;
  else if constexpr (std::is_same_v<T, int64_t>)
    return kInt64;
  else if constexpr (std::is_same_v<T, int32_t>)
    return kInt32;
  else if constexpr (std::is_same_v<T, uint8_t>)
    return kUInt8;
  else {
    static_assert(std::is_same_v<T, bool>,
                  "nnc tensors hold float, double, nnc::Half, "
                  "nnc::BFloat16, int64_t, int32_t, uint8_t or bool");
    return kBool;
  }
}

/// `value` converted to element type To, as PyTorch's static_cast
/// conversions: nonzero is true; 16-bit floats go through float.
template <class To, class From> To convertElement(From value) {
  if constexpr (std::is_same_v<To, From>)
    return value;
  else if constexpr (std::is_same_v<From, Half> ||
                     std::is_same_v<From, BFloat16>)
    return convertElement<To>(static_cast<float>(value));
  else if constexpr (std::is_same_v<To, bool>)
    return value != From(0);
  else if constexpr (std::is_same_v<To, Half> || std::is_same_v<To, BFloat16>)
    return To(static_cast<float>(value));
  else
    return static_cast<To>(value);
}

/// A number as at::Scalar: bool, integer (int64) or floating (double).
/// Any C++ arithmetic value converts implicitly, so `x.add(2)` and
/// `x.add(0.5f)` read as in libtorch.
class Scalar {
public:
  Scalar() : Scalar(int64_t(0)) {}
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  Scalar(T value) {
    if constexpr (std::is_same_v<T, bool>) {
      type_ = kBool;
      integer_ = value;
    } else if constexpr (std::is_integral_v<T>) {
      type_ = kInt64;
      integer_ = static_cast<int64_t>(value);
    } else {
      type_ = kFloat64;
      floating_ = static_cast<double>(value);
    }
  }
  Scalar(Half value) : Scalar(static_cast<float>(value)) {}
  Scalar(BFloat16 value) : Scalar(static_cast<float>(value)) {}

  /// kBool, kInt64 or kFloat64: the kind of number held.
  ScalarType type() const { return type_; }
  bool isFloatingPoint() const { return type_ == kFloat64; }
  bool isIntegral(bool includeBool) const {
    return type_ == kInt64 || (includeBool && type_ == kBool);
  }
  bool isBoolean() const { return type_ == kBool; }

  double toDouble() const {
    return isFloatingPoint() ? floating_ : static_cast<double>(integer_);
  }
  int64_t toLong() const {
    return isFloatingPoint() ? static_cast<int64_t>(floating_) : integer_;
  }
  bool toBool() const {
    return isFloatingPoint() ? floating_ != 0.0 : integer_ != 0;
  }
  /// The value as element type T, converted as a static_cast (integers
  /// wrap, floats truncate toward zero).
  template <class T> T to() const {
    return isFloatingPoint() ? convertElement<T>(floating_)
                             : convertElement<T>(integer_);
  }
  /// Whether T holds the value without overflow, as c10::checked_convert
  /// judges: finite values within T's range (NaN and infinities fit
  /// floating types; bool holds anything).
  template <class T> bool fits() const {
    if constexpr (std::is_same_v<T, bool>) {
      return true;
    } else if constexpr (std::is_integral_v<T>) {
      if (!isFloatingPoint())
        return integer_ >=
                   static_cast<int64_t>(std::numeric_limits<T>::min()) &&
               (std::is_same_v<T, int64_t> ||
                integer_ <=
                    static_cast<int64_t>(std::numeric_limits<T>::max()));
      return floating_ >= static_cast<double>(std::numeric_limits<T>::min()) &&
             floating_ <= static_cast<double>(std::numeric_limits<T>::max());
    } else {
      double v = toDouble();
      double limit = std::is_same_v<T, double>  ? DBL_MAX
                     : std::is_same_v<T, float> ? FLT_MAX
                     : std::is_same_v<T, Half>  ? 65504.0
                                                : 3.3895313892515355e38;
      return !(v == v) || v == INFINITY || v == -INFINITY ||
             (v >= -limit && v <= limit);
    }
  }

private:
  ScalarType type_;
  int64_t integer_ = 0;
  double floating_ = 0.0;
};

std::ostream &operator<<(std::ostream &os, const Scalar &s);

} // namespace nnc

#endif // NNC_FRONTEND_SCALARTYPE_H
