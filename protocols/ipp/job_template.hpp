// Job template attributes (RFC 8011 §5.2, PWG 5100.7, PWG 5100.13): what a
// Quire queue offers a job, and a job creation request's choices checked
// against that offer.
//
// A Quire queue is a virtual printer in front of real ones (laser printers of
// a fleet), so its offer is what any printer of a campus fleet does: A4,
// Letter, A3 and 4x6 media with 4.23 mm margins, duplex, colour, 300 and 600
// dpi. One table, offer(), holds it: Get-Printer-Attributes renders its
// -supported values and parse_job_template() validates against them, so what
// is advertised and what is accepted cannot drift apart. The -default values
// are a default-constructed job_ticket.
//
// parse_job_template() reads the job attributes group of a decoded request
// and gives the job ticket: every value the client chose and the queue
// supports, the default for everything else. A value the queue does not
// support (or of the wrong syntax) is not an error: its attribute name goes
// to `unsupported`, the default stays (RFC 8011 §4.1.7: ignored or
// substituted), and the caller answers successful-ok-ignored-or-substituted,
// or rejects the job when the client asked for ipp-attribute-fidelity.
//
// Pure: no I/O, no clock; reads an ipp_t, never changes it.
#pragma once

#include <cups/ipp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/ipp/codec.hpp"

namespace quire::ipp {

/// A media size the queues offer: its PWG 5101.1 self-describing name and
/// its dimensions in hundredths of a millimetre (portrait).
struct media_size {
  const char* name;
  int width;   // x-dimension
  int length;  // y-dimension
};

/// One page range of page-ranges, 1-based and inclusive.
struct page_range {
  int32_t first = 1;
  int32_t last = 1;
  bool operator==(const page_range&) const = default;
};

/// The job template values of one job, defaults applied. A
/// default-constructed ticket is what a queue assumes when a job says
/// nothing: the -default printer attributes.
struct job_ticket {
  uint32_t copies = 1;
  std::string media = "iso_a4_210x297mm";     // a media_size name of offer()
  std::string media_source = "auto";
  std::string media_type = "stationery";
  std::string sides = "one-sided";
  std::string color_mode = "auto";            // print-color-mode
  int print_quality = IPP_QUALITY_NORMAL;     // 3 draft, 4 normal, 5 high
  int orientation = 0;                        // orientation-requested 3-6; 0: none asked
  int resolution_dpi = 600;                   // printer-resolution, square, dots per inch
  std::vector<page_range> page_ranges;        // empty: every page
  int number_up = 1;
  int job_priority = 50;                      // 1 (lowest) - 100
  bool banner = false;                        // job-sheets "standard" (else "none")
  bool uncollated = false;                    // multiple-document-handling
                                              // separate-documents-uncollated-copies
  std::string print_scaling = "auto";
  std::string content_optimize = "auto";      // print-content-optimize
  std::string rendering_intent = "auto";      // print-rendering-intent
  std::string output_bin = "face-down";

  bool operator==(const job_ticket&) const = default;
};

/// What every queue supports: the -supported printer attributes.
struct template_offer {
  std::vector<media_size> media;            // media-supported, media-col-database
  std::vector<const char*> media_ready;     // media loaded in every printer
  std::vector<const char*> media_sources;
  std::vector<const char*> media_types;
  int margin = 0;                           // every media-*-margin, hundredths of mm
  std::vector<const char*> sides;
  std::vector<const char*> color_modes;
  std::vector<int> print_qualities;
  std::vector<int> orientations;            // enums, 7 ("none") included
  std::vector<int> resolutions_dpi;
  std::vector<int> number_up;
  std::vector<int> finishings;              // enums; 3 is none
  std::vector<const char*> output_bins;
  std::vector<const char*> job_sheets;
  std::vector<const char*> document_handling;  // multiple-document-handling
  std::vector<const char*> print_scaling;
  std::vector<const char*> content_optimize;
  std::vector<const char*> rendering_intents;
  int copies_max = 0;                       // copies-supported 1..copies_max
  int priority_levels = 0;                  // job-priority-supported
  int max_page_ranges = 0;                  // the most ranges one job may give
  /// The job template attributes a job creation request may carry
  /// (job-creation-attributes-supported, with the operation attributes).
  std::vector<const char*> creation_attributes;
};

/// The offer of every Quire queue (static; safe from any thread).
const template_offer& offer();

/// The media size named `name` in offer(), or nullptr.
const media_size* find_media(std::string_view name);

/// Reads the job template attributes of `req`'s job group into `out`
/// (which the caller default-constructs). Names of attributes that are
/// unsupported, or carry an unsupported value or syntax, are appended to
/// `unsupported` (each once) and their defaults kept. Fails only when the
/// request contradicts itself: media and media-col together are
/// client-error-conflicting-attributes. job-hold-until is left to
/// parse_hold_until() (operations.hpp).
check parse_job_template(ipp_t* req, job_ticket& out, std::vector<std::string>& unsupported);

}  // namespace quire::ipp
