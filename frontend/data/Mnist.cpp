//===- frontend/data/Mnist.cpp - IDX files, MNIST and Fashion-MNIST -------===//
#include "frontend/data/Mnist.h"

#include "frontend/data/DataInternal.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

namespace nnc::data {

//===----------------------------------------------------------------------===//
// Reading the bytes, gunzipping if needed
//===----------------------------------------------------------------------===//

namespace {

std::vector<unsigned char> readFile(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw Error("read_idx: cannot open '" + path +
                "': " + std::strerror(errno));
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(file),
                                    std::istreambuf_iterator<char>());
}

bool isGzip(const std::vector<unsigned char> &bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

/// The inflated contents of gzip data (all members, as gunzip does).
std::vector<unsigned char> gunzip(const std::vector<unsigned char> &gz,
                                  const std::string &path) {
  if (gz.size() > std::numeric_limits<uInt>::max())
    throw Error("read_idx: " + path +
                ": gzip files over 4 GiB are not supported");
  std::vector<unsigned char> out;
  // The trailer's ISIZE (size mod 2^32, little-endian) is a good first
  // guess, within deflate's largest ratio (1032:1) in case it is corrupt.
  if (gz.size() >= 18) {
    const unsigned char *isize = &gz[gz.size() - 4];
    size_t guess = isize[0] | isize[1] << 8 | isize[2] << 16 |
                   static_cast<size_t>(isize[3]) << 24;
    out.reserve(std::min(guess, 1032 * gz.size()));
  }
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
    throw Error("read_idx: " + path + ": cannot start zlib");
  stream.next_in = const_cast<unsigned char *>(gz.data());
  stream.avail_in = static_cast<uInt>(gz.size());
  unsigned char chunk[1 << 16];
  int status;
  do {
    stream.next_out = chunk;
    stream.avail_out = sizeof(chunk);
    status = inflate(&stream, Z_NO_FLUSH);
    out.insert(out.end(), chunk, chunk + (sizeof(chunk) - stream.avail_out));
    // Another gzip member may follow the first one.
    if (status == Z_STREAM_END && stream.avail_in >= 2 &&
        stream.next_in[0] == 0x1f && stream.next_in[1] == 0x8b) {
      inflateReset(&stream);
      status = Z_OK;
    }
  } while (status == Z_OK);
  std::string message = stream.msg ? stream.msg : "";
  inflateEnd(&stream);
  if (status == Z_BUF_ERROR)
    throw Error("read_idx: " + path + ": truncated gzip data (" +
                std::to_string(gz.size()) + " bytes end inside the stream)");
  if (status != Z_STREAM_END)
    throw Error("read_idx: " + path + ": corrupt gzip data" +
                (message.empty() ? "" : " (" + message + ")"));
  return out;
}

size_t elementBytes(IdxType type) {
  switch (type) {
  case IdxType::UInt8:
  case IdxType::Int8:
    return 1;
  case IdxType::Int16:
    return 2;
  case IdxType::Int32:
  case IdxType::Float32:
    return 4;
  case IdxType::Float64:
    return 8;
  }
  return 0;
}

uint32_t bigEndian32(const unsigned char *p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

std::string hex(uint64_t value, int digits) {
  std::ostringstream os;
  os << "0x" << std::hex;
  os.width(digits);
  os.fill('0');
  os << value;
  return os.str();
}

} // namespace

const char *toString(IdxType type) {
  switch (type) {
  case IdxType::UInt8:
    return "uint8";
  case IdxType::Int8:
    return "int8";
  case IdxType::Int16:
    return "int16";
  case IdxType::Int32:
    return "int32";
  case IdxType::Float32:
    return "float32";
  case IdxType::Float64:
    return "float64";
  }
  return "unknown";
}

//===----------------------------------------------------------------------===//
// IDX
//===----------------------------------------------------------------------===//

IdxArray read_idx_array(const std::string &path) {
  std::vector<unsigned char> bytes = readFile(path);
  bool gzip = isGzip(bytes);
  if (gzip)
    bytes = gunzip(bytes, path);
  std::string where = "read_idx: " + path + (gzip ? " (after gunzip)" : "");
  if (bytes.size() < 4)
    throw Error(where + ": file has " + std::to_string(bytes.size()) +
                " bytes, too short for an IDX header");
  if (bytes[0] != 0 || bytes[1] != 0)
    throw Error(where + ": bad magic number " + hex(bigEndian32(&bytes[0]), 8) +
                " (an IDX file starts with two zero bytes, a type code and "
                "the number of dims)");
  IdxArray array;
  array.type = static_cast<IdxType>(bytes[2]);
  size_t elementSize = elementBytes(array.type);
  if (elementSize == 0)
    throw Error(where + ": unsupported IDX type code " + hex(bytes[2], 2) +
                " (known: 0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, "
                "0x0d float32, 0x0e float64)");
  size_t rank = bytes[3];
  size_t headerBytes = 4 + 4 * rank;
  if (bytes.size() < headerBytes)
    throw Error(where + ": the header of " + std::to_string(rank) +
                " dims needs " + std::to_string(headerBytes) +
                " bytes, file has " + std::to_string(bytes.size()));
  size_t dataBytes = bytes.size() - headerBytes;
  for (size_t d = 0; d < rank; ++d)
    array.shape.push_back(bigEndian32(&bytes[4 + 4 * d]));
  size_t expected = elementSize;
  bool overflow = false;
  if (std::count(array.shape.begin(), array.shape.end(), 0))
    expected = 0;
  for (int64_t size : array.shape)
    if (expected != 0 && !overflow)
      overflow = __builtin_mul_overflow(expected, static_cast<size_t>(size),
                                        &expected);
  if (overflow || expected != dataBytes)
    throw Error(
        where + ": expected " +
        (overflow ? std::string("over 2^64") : std::to_string(expected)) +
        " bytes of data for " + toString(array.type) + " " +
        shapeToString(array.shape) + ", file has " + std::to_string(dataBytes));
  array.bytes.assign(bytes.begin() + headerBytes, bytes.end());
  // IDX is big-endian.
  if (elementSize > 1)
    for (size_t i = 0; i < array.bytes.size(); i += elementSize)
      std::reverse(array.bytes.begin() + i,
                   array.bytes.begin() + i + elementSize);
  return array;
}

namespace {

template <class Element, class Out>
void convert(const IdxArray &array, Out *out) {
  size_t n = array.bytes.size() / sizeof(Element);
  for (size_t i = 0; i < n; ++i) {
    Element value;
    std::memcpy(&value, &array.bytes[i * sizeof(Element)], sizeof(Element));
    out[i] = static_cast<Out>(value);
  }
}

template <class Out> void convertTo(const IdxArray &array, Out *out) {
  switch (array.type) {
  case IdxType::UInt8:
    return convert<uint8_t>(array, out);
  case IdxType::Int8:
    return convert<int8_t>(array, out);
  case IdxType::Int16:
    return convert<int16_t>(array, out);
  case IdxType::Int32:
    return convert<int32_t>(array, out);
  case IdxType::Float32:
    return convert<float>(array, out);
  case IdxType::Float64:
    return convert<double>(array, out);
  }
}

} // namespace

Tensor to_tensor(const IdxArray &array, std::optional<ScalarType> dtype) {
  Tensor out;
  switch (array.type) {
  case IdxType::UInt8:
    out = empty(array.shape, kUInt8);
    convertTo(array, out.data_ptr<uint8_t>());
    break;
  case IdxType::Int8:
  case IdxType::Int16:
  case IdxType::Int32:
    out = empty(array.shape, kInt32);
    convertTo(array, out.data_ptr<int32_t>());
    break;
  case IdxType::Float32:
    out = empty(array.shape, kFloat32);
    convertTo(array, out.data_ptr<float>());
    break;
  case IdxType::Float64:
    out = empty(array.shape, kFloat64);
    convertTo(array, out.data_ptr<double>());
    break;
  }
  return dtype && *dtype != out.dtype() ? out.to(*dtype) : out;
}

Tensor read_idx(const std::string &path, std::optional<ScalarType> dtype) {
  return to_tensor(read_idx_array(path), dtype);
}

//===----------------------------------------------------------------------===//
// MNIST
//===----------------------------------------------------------------------===//

Normalize::Normalize(float mean, float std) : mean(mean), std(std) {
  if (!(std != 0))
    throw Error("Normalize: std evaluated to zero, leading to division by "
                "zero.");
}

namespace {

/// `root`/`name`, or with ".gz" if only that exists.
std::string findIdxFile(const std::string &root, const std::string &name) {
  std::string plain = root + "/" + name;
  for (const std::string &candidate : {plain, plain + ".gz"})
    if (std::ifstream(candidate, std::ios::binary))
      return candidate;
  throw Error("MNIST: neither " + plain + " nor " + plain +
              ".gz can be opened");
}

} // namespace

MNIST::MNIST(const std::string &root, bool train,
             std::optional<Normalize> normalize) {
  std::string prefix = train ? "train" : "t10k";
  std::string imagesPath = findIdxFile(root, prefix + "-images-idx3-ubyte");
  std::string labelsPath = findIdxFile(root, prefix + "-labels-idx1-ubyte");
  images_ = read_idx_array(imagesPath);
  IdxArray labels = read_idx_array(labelsPath);
  if (images_.type != IdxType::UInt8 || images_.shape.size() != 3)
    throw Error("MNIST: " + imagesPath + " holds " + toString(images_.type) +
                " " + shapeToString(images_.shape) +
                ", expected uint8 images [N, H, W]");
  if (labels.type != IdxType::UInt8 || labels.shape.size() != 1)
    throw Error("MNIST: " + labelsPath + " holds " + toString(labels.type) +
                " " + shapeToString(labels.shape) +
                ", expected uint8 labels [N]");
  if (labels.shape[0] != images_.shape[0])
    throw Error("MNIST: " + imagesPath + " has " +
                std::to_string(images_.shape[0]) + " images but " + labelsPath +
                " has " + std::to_string(labels.shape[0]) + " labels");
  targets_ = to_tensor(labels, kInt64);
  for (int value = 0; value < 256; ++value) {
    // In float32 and in this order, as ToTensor and Normalize compute.
    float pixel = static_cast<float>(value) / 255.0f;
    pixelValues_[value] =
        normalize ? (pixel - normalize->mean) / normalize->std : pixel;
  }
}

int64_t MNIST::size() const { return images_.shape[0]; }

Example MNIST::get(int64_t index) const {
  checkIndex("MNIST", index, size());
  int64_t height = images_.shape[1], width = images_.shape[2];
  Tensor image = empty({1, height, width}, kFloat32);
  float *pixels = image.data_ptr<float>();
  const unsigned char *source = images_.bytes.data() + index * height * width;
  for (int64_t i = 0; i < height * width; ++i)
    pixels[i] = pixelValues_[source[i]];
  Tensor label = empty({}, kInt64);
  *label.data_ptr<int64_t>() = targets_.data_ptr<int64_t>()[index];
  return Example{image, label};
}

const std::vector<std::string> &MNIST::classes() const {
  static const std::vector<std::string> names = {
      "0 - zero", "1 - one", "2 - two",   "3 - three", "4 - four",
      "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"};
  return names;
}

const std::vector<std::string> &FashionMNIST::classes() const {
  static const std::vector<std::string> names = {
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

} // namespace nnc::data
