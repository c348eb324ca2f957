// An array of n values of T that frees itself, wherever its memory lives:
// `Memory` allocates and frees the bytes (aligned host memory for the CPU
// backend, device memory for the CUDA backend). Movable, not copyable.
#pragma once

#include <cstddef>
#include <utility>

namespace wst {

template <class T, class Memory>
class owned_buffer {
public:
    owned_buffer() = default;
    explicit owned_buffer(std::size_t n) : size_(n) {
        if (n > 0) data_ = static_cast<T*>(Memory::allocate(n * sizeof(T)));
    }
    owned_buffer(owned_buffer&& o) noexcept : data_(o.data_), size_(o.size_) {
        o.data_ = nullptr;
        o.size_ = 0;
    }
    owned_buffer& operator=(owned_buffer&& o) noexcept {
        std::swap(data_, o.data_);
        std::swap(size_, o.size_);
        return *this;
    }
    owned_buffer(const owned_buffer&) = delete;
    owned_buffer& operator=(const owned_buffer&) = delete;
    ~owned_buffer() {
        if (data_ != nullptr) Memory::free(data_);
    }

    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }

private:
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace wst
