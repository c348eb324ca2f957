// How a transform computes, beside what it computes: its threads, its work
// buffers and the backend's memory, shared by the frontends (Scattering1D).
//
//   executor::parallel_for   a body over an index range on the transform's
//                            threads (the caller's among them);
//   executor::lease          a workspace (buffers, plans, a device queue)
//                            from the transform's pool, returned when done;
//   executor::staged         host arrays as the backend reads them: the
//                            arrays themselves on the CPU, copies in reused
//                            device buffers otherwise;
//   turns                    results of parallel bodies combined in a fixed
//                            order, so that bits do not depend on threads.
// Every thread that works for the transform first makes the context's
// device its own (the CPU has nothing to make current).
#pragma once

#include "wst/error.hpp"
#include "wst/parameters.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace wst {

// Parallel bodies that combine their results in order: body i calls
// wait(i), combines, then done(); a body that fails calls fail(), which
// releases every waiter (wait returns false) instead of leaving the later
// bodies waiting for a turn that never comes.
class turns {
public:
    bool wait(std::size_t i) {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return next_ == i || failed_; });
        return !failed_;
    }
    void done() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ++next_;
        }
        changed_.notify_all();
    }
    void fail() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            failed_ = true;
        }
        changed_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t next_ = 0;
    bool failed_ = false;
};

template <class Backend, class Real>
class executor {
public:
    using context_type = typename Backend::template context<Real>;
    using workspace_type = typename Backend::template workspace<Real>;

    explicit executor(const execution& settings) : settings_(settings) {
        if (settings.threads < 1 || settings.threads > 1024)
            detail::reject("threads", settings.threads, "the number of threads must be between 1 and 1024");
    }

    // The context (filters, plans) once built; one workspace is made at once.
    void set_context(std::unique_ptr<context_type> context) {
        context_ = std::move(context);
        context_->activate();
        pool_.push_back(std::make_unique<workspace_type>(*context_, 1));
    }
    const context_type& context() const { return *context_; }
    const execution& settings() const { return settings_; }
    int threads() const { return settings_.threads; }
    // Signals one walk carries through every primitive, for a batch of B
    // signals whose spectra take spectrum_bytes each.
    std::size_t signals_per_walk(std::size_t B, std::size_t spectrum_bytes) const {
        return settings_.signals_per_walk > 0 ? settings_.signals_per_walk
                                              : Backend::signals_per_walk(spectrum_bytes, B, threads());
    }
    // Threads over the batch when it has a signal per thread, otherwise over
    // the subtrees of each signal.
    bool threads_over_batch(std::size_t B) const { return threads() == 1 || B >= static_cast<std::size_t>(threads()); }

    // Runs body(worker, i) for i < count on up to threads() threads (the
    // caller's among them), handing out i in increasing order; rethrows the
    // first worker's error once all have stopped.
    template <class Body>
    void parallel_for(std::size_t count, Body&& body) const {
        const std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(threads()), count);
        std::atomic<std::size_t> next{0};
        std::vector<std::exception_ptr> errors(workers);
        auto work = [&](std::size_t worker) {
            try {
                if (context_) context_->activate();
                for (std::size_t i = next++; i < count; i = next++) body(worker, i);
            } catch (...) {
                errors[worker] = std::current_exception();
                next = count;
            }
        };
        std::vector<std::thread> pool;
        for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(work, t);
        work(0);
        for (auto& t : pool) t.join();
        for (auto& e : errors)
            if (e) std::rethrow_exception(e);
    }

    // A workspace for `signals` signals from the pool, returned when the
    // lease ends. A new one is made only while calls overlap or when more
    // signals are asked for; the pool keeps at most threads() + 1 (a root
    // and one per thread), the others are freed when returned.
    class lease {
    public:
        explicit lease(const executor& e, std::size_t signals = 1) : e_(e) {
            e.context_->activate();
            {
                std::lock_guard<std::mutex> lock(e.pool_mutex_);
                auto& pool = e.pool_;
                // The smallest that fits.
                auto best = pool.end();
                for (auto it = pool.begin(); it != pool.end(); ++it)
                    if ((*it)->capacity() >= signals && (best == pool.end() || (*it)->capacity() < (*best)->capacity()))
                        best = it;
                if (best != pool.end()) {
                    w_ = std::move(*best);
                    pool.erase(best);
                }
            }
            if (!w_) w_ = std::make_unique<workspace_type>(*e.context_, signals);
        }
        ~lease() {
            std::lock_guard<std::mutex> lock(e_.pool_mutex_);
            if (e_.pool_.size() < static_cast<std::size_t>(e_.threads()) + 1) e_.pool_.push_back(std::move(w_));
        }
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        workspace_type& operator*() { return *w_; }

    private:
        const executor& e_;
        std::unique_ptr<workspace_type> w_;
    };

    // Host arrays as the backend reads and writes them: the arrays
    // themselves on the CPU backend; for a device backend, copies in device
    // buffers reused from call to call (allocating and freeing device memory
    // would synchronize the whole device), uploaded when made (T const:
    // inputs) or downloaded by download() (outputs).
    template <class T>
    class staged {
        using value = std::remove_const_t<T>;

    public:
        staged(const executor& e, const std::vector<std::pair<T*, std::size_t>>& host) : e_(e), host_(host) {
            if constexpr (Backend::host_memory) {
                for (const auto& [data, n] : host_) pointers_.push_back(data);
            } else {
                e.context_->activate();
                for (const auto& [data, n] : host_) {
                    held_.push_back(e.take_staging(n * sizeof(value)));
                    pointers_.push_back(reinterpret_cast<T*>(held_.back().data()));
                    if constexpr (std::is_const_v<T>) Backend::upload(data, const_cast<value*>(pointers_.back()), n);
                }
            }
        }
        ~staged() {
            for (auto& b : held_) e_.give_staging(std::move(b));
        }
        staged(const staged&) = delete;
        staged& operator=(const staged&) = delete;
        // Backend pointer of array i.
        T* operator[](std::size_t i) const { return pointers_[i]; }
        void download() const {
            static_assert(!std::is_const_v<T>, "inputs are not downloaded");
            if constexpr (!Backend::host_memory)
                for (std::size_t i = 0; i < host_.size(); ++i) Backend::download(pointers_[i], host_[i].first, host_[i].second);
        }

    private:
        const executor& e_;
        std::vector<std::pair<T*, std::size_t>> host_;
        std::vector<typename Backend::template buffer<unsigned char>> held_;
        std::vector<T*> pointers_;
    };

private:
    using bytes = typename Backend::template buffer<unsigned char>;

    // A staging buffer of at least n bytes: the smallest free one that fits,
    // else a new one. The free list keeps at most 4 x (threads() + 1).
    bytes take_staging(std::size_t n) const {
        {
            std::lock_guard<std::mutex> lock(staging_mutex_);
            auto best = staging_.end();
            for (auto it = staging_.begin(); it != staging_.end(); ++it)
                if (it->size() >= n && (best == staging_.end() || it->size() < best->size())) best = it;
            if (best != staging_.end()) {
                bytes b = std::move(*best);
                staging_.erase(best);
                return b;
            }
        }
        return bytes(std::max<std::size_t>(n, 1));
    }
    void give_staging(bytes b) const {
        std::lock_guard<std::mutex> lock(staging_mutex_);
        if (staging_.size() < 4 * (static_cast<std::size_t>(threads()) + 1)) staging_.push_back(std::move(b));
    }

    execution settings_;
    std::unique_ptr<context_type> context_;
    mutable std::mutex pool_mutex_;
    mutable std::vector<std::unique_ptr<workspace_type>> pool_;
    mutable std::mutex staging_mutex_;
    mutable std::vector<bytes> staging_;
};

// Targets kept where the backend works, for repeated loss_gradient calls
// that then send only y (the reconstruction's): a copy in device memory on
// a GPU (made on the device current when it is built); on the CPU the
// host array itself, which must outlive this.
template <class Backend, class Real>
class resident_target {
public:
    resident_target() = default;
    // `size` values of B target rows in host memory.
    resident_target(const Real* host, std::size_t B, std::size_t size) : B_(B) {
        if constexpr (Backend::host_memory) {
            data_ = host;
        } else {
            copy_ = typename Backend::template buffer<Real>(size);
            Backend::upload(host, copy_.data(), size);
            data_ = copy_.data();
        }
    }
    std::size_t batch() const { return B_; }
    const Real* data() const { return data_; }  // backend memory

    // rows: the target row of each of B signals.
    void check_rows(const std::vector<std::size_t>& rows, std::size_t B) const {
        if (rows.size() != B)
            detail::reject("rows", std::to_string(rows.size()) + " target rows", "one per signal of y (" + std::to_string(B) + ")");
        for (const std::size_t r : rows)
            if (r >= B_) detail::reject("rows", "target row " + std::to_string(r), "rows below the target's batch, " + std::to_string(B_));
    }

private:
    std::size_t B_ = 0;
    const Real* data_ = nullptr;
    typename Backend::template buffer<Real> copy_;
};


}  // namespace wst
