//===- frontend/data/Mnist.h - IDX files, (Fashion-)MNIST -------*- C++ -*-===//
//
// read_idx reads LeCun's IDX format (the files of MNIST and Fashion-MNIST),
// plain or gzip-compressed (recognized by the gzip magic bytes, inflated
// with zlib). MNIST(root, train) is torchvision.datasets.MNIST over those
// files: example i is {image [1, 28, 28] float32 in [0, 1], as ToTensor()
// makes it, optionally Normalize(mean, std)-ed; label 0-d int64}.
//
//   auto train = std::make_shared<nnc::data::FashionMNIST>(
//       "/usr/share/datasets/fashion-mnist", /*train=*/true);
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_DATA_MNIST_H
#define NNC_FRONTEND_DATA_MNIST_H

#include "frontend/data/Dataset.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nnc::data {

//===----------------------------------------------------------------------===//
// IDX files
//===----------------------------------------------------------------------===//

/// IDX element types, by their type code (the file's third byte).
enum class IdxType : uint8_t {
  UInt8 = 0x08,
  Int8 = 0x09,
  Int16 = 0x0B,
  Int32 = 0x0C,
  Float32 = 0x0D,
  Float64 = 0x0E,
};

/// "uint8", "int8", "int16", "int32", "float32" or "float64".
const char *toString(IdxType type);

/// An IDX file as stored: its element type, its shape and its elements,
/// converted from the file's big-endian order to the machine's.
struct IdxArray {
  IdxType type = IdxType::UInt8;
  IntList shape;
  std::vector<unsigned char> bytes;
};

/// Reads the IDX file at `path` (plain or gzip). Errors name the file and say
/// what is wrong: unreadable file, corrupt or truncated gzip data, bad magic
/// number, unknown type code, or a data size that does not match the shape.
IdxArray read_idx_array(const std::string &path);

/// `array` as a tensor of its shape and, as torchvision reads IDX files, of
/// its type: uint8, int32, float32 or float64 (int8 and int16, which nnc
/// lacks, widen to int32). `dtype` converts the result as Tensor::to does
/// (kFloat32 for MNIST pixels as 0..255 floats).
Tensor to_tensor(const IdxArray &array,
                 std::optional<ScalarType> dtype = std::nullopt);

/// to_tensor(read_idx_array(path), dtype).
Tensor read_idx(const std::string &path,
                std::optional<ScalarType> dtype = std::nullopt);

//===----------------------------------------------------------------------===//
// MNIST, Fashion-MNIST
//===----------------------------------------------------------------------===//

/// As transforms.Normalize((mean,), (std,)) on one channel: (x - mean) / std.
struct Normalize {
  Normalize(float mean, float std);
  float mean;
  float std;
};

/// As torchvision.datasets.MNIST: reads `root`/{train,t10k}-images-idx3-ubyte
/// and the matching labels-idx1-ubyte, each plain or with ".gz". Images stay
/// uint8 in memory; get() makes the float image, computing each pixel as
/// torchvision does in float32 (x / 255, then (x - mean) / std).
class MNIST : public Dataset {
public:
  explicit MNIST(const std::string &root, bool train = true,
                 std::optional<Normalize> normalize = std::nullopt);

  int64_t size() const override;
  /// {image [1, H, W] float32, label 0-d int64}.
  Example get(int64_t index) const override;

  /// The raw images, uint8 [N, H, W].
  const IdxArray &images() const { return images_; }
  /// The labels, int64 [N] (torchvision's .targets).
  const Tensor &targets() const { return targets_; }
  /// The digits' names, "0 - zero" ... "9 - nine", as torchvision's.
  virtual const std::vector<std::string> &classes() const;

private:
  IdxArray images_;
  Tensor targets_;
  /// Pixel byte -> float value, transform applied.
  std::array<float, 256> pixelValues_;
};

/// As torchvision.datasets.FashionMNIST: the same files and layout.
class FashionMNIST : public MNIST {
public:
  using MNIST::MNIST;
  /// "T-shirt/top", "Trouser", ... "Ankle boot".
  const std::vector<std::string> &classes() const override;
};

} // namespace nnc::data

#endif // NNC_FRONTEND_DATA_MNIST_H
