// Factories of every format adapter, one .cpp per family of formats.
#pragma once

#include <memory>

#include "format.hpp"

namespace mirror::ingest {

std::unique_ptr<Format> make_events_format();
std::unique_ptr<Format> make_decisions_format();
std::unique_ptr<Format> make_cdnow_format();
std::unique_ptr<Format> make_online_retail_format();
std::unique_ptr<Format> make_grocery_format();
std::unique_ptr<Format> make_complete_journey_format();
std::unique_ptr<Format> make_obd_format();

}  // namespace mirror::ingest
