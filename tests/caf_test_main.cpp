// Links CAF's unit-test engine (needed by caf/test/dsl.hpp) without its main().
#define CAF_TEST_NO_MAIN
#include <caf/test/unit_test_impl.hpp>
