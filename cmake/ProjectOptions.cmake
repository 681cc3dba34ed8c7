# Compiler flags live only on these INTERFACE targets; every project target links them.
include(CheckCXXCompilerFlag)

add_library(edgekit_warnings INTERFACE)
target_compile_options(edgekit_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  -Wformat=2
  # GCC only (clang builds the fuzz targets and runs clang-tidy).
  "$<$<CXX_COMPILER_ID:GNU>:-Wnull-dereference;-Wduplicated-cond;-Wlogical-op>")
# Warnings are errors for developers and CI (scripts/build, scripts/test turn it on), not for
# whoever just builds a release with another compiler version's new warnings.
if(EDGEKIT_WERROR)
  target_compile_options(edgekit_warnings INTERFACE -Werror)
endif()

# Hardening, each flag only where the compiler has it. _FORTIFY_SOURCE needs an optimized
# build and gets in the way of the sanitizers (ASan intercepts the same calls), so the
# sanitizer and fuzz builds go without it.
add_library(edgekit_hardening INTERFACE)
target_compile_options(edgekit_hardening INTERFACE -fstack-protector-strong)
foreach(flag -fstack-clash-protection -fcf-protection)
  string(MAKE_C_IDENTIFIER "EDGEKIT_HAS${flag}" has_flag)
  check_cxx_compiler_flag(${flag} ${has_flag})
  if(${has_flag})
    target_compile_options(edgekit_hardening INTERFACE ${flag})
  endif()
endforeach()
target_compile_definitions(edgekit_hardening INTERFACE _GLIBCXX_ASSERTIONS)
# Full RELRO (read-only GOT after start-up), as Debian's hardening=+all links: the package
# (scripts/package --from-build) ships these binaries as built.
target_link_options(edgekit_hardening INTERFACE LINKER:-z,relro LINKER:-z,now)
if(NOT EDGEKIT_SANITIZE AND NOT EDGEKIT_FUZZ AND NOT EDGEKIT_TSAN)
  # -U first: a toolchain or packaging CPPFLAGS may already define it (to 2).
  target_compile_options(edgekit_hardening INTERFACE
    "$<$<CONFIG:Release,RelWithDebInfo,MinSizeRel>:-U_FORTIFY_SOURCE;-D_FORTIFY_SOURCE=3>")
endif()

add_library(edgekit_sanitizers INTERFACE)
if(EDGEKIT_SANITIZE)
  target_compile_options(edgekit_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(edgekit_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
if(EDGEKIT_TSAN)
  if(EDGEKIT_SANITIZE)
    message(FATAL_ERROR "EDGEKIT_TSAN and EDGEKIT_SANITIZE cannot be combined (one sanitizer runtime)")
  endif()
  target_compile_options(edgekit_sanitizers INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  # g++ warns that TSan does not model atomic_thread_fence, which Asio's handler completion
  # uses; the edge hands work between threads only through Asio's posts (mutex-protected).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(edgekit_sanitizers INTERFACE -Wno-tsan)
  endif()
  target_link_options(edgekit_sanitizers INTERFACE -fsanitize=thread)
endif()
# The fuzz build instruments every library for libFuzzer's coverage feedback, not only the
# targets (the fuzz targets themselves add -fsanitize=fuzzer, which links its main).
if(EDGEKIT_FUZZ)
  target_compile_options(edgekit_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
endif()

# Clang (clang-tidy, libFuzzer) needs to be told that Boost 1.74's Asio may use coroutines.
add_library(edgekit_asio INTERFACE)
target_compile_definitions(edgekit_asio INTERFACE
  BOOST_ASIO_NO_DEPRECATED
  $<$<CXX_COMPILER_ID:Clang>:BOOST_ASIO_HAS_CO_AWAIT=1>
  $<$<CXX_COMPILER_ID:Clang>:BOOST_ASIO_HAS_STD_COROUTINE=1>)

add_library(edgekit_project_options INTERFACE)
target_link_libraries(edgekit_project_options INTERFACE
  edgekit_warnings edgekit_hardening edgekit_sanitizers)

add_library(edgekit::warnings ALIAS edgekit_warnings)
add_library(edgekit::hardening ALIAS edgekit_hardening)
add_library(edgekit::sanitizers ALIAS edgekit_sanitizers)
add_library(edgekit::asio ALIAS edgekit_asio)
add_library(edgekit::project_options ALIAS edgekit_project_options)

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()
