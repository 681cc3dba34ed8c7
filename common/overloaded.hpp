#pragma once
// A visitor for std::visit built from one lambda per alternative, so a variant alternative
// nobody handles is a compile error rather than a silent default.

namespace edgekit {

template <typename... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};
// Spelled out for compilers without aggregate deduction (clang before 17, hence clang-tidy).
template <typename... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

}  // namespace edgekit
