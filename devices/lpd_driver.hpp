// The LPD driver: lpd://host[:port]/queue, an RFC 1179 client (port 515).
//
// One connection per job (RFC 1179 section 5.2 "receive a printer job"):
//
//   -> 02 queue LF                              <- 0 (else the queue is refused)
//   -> 03 size SP dfA<nnn><host> LF             <- 0
//   -> the data file, then one zero octet       <- 0
//   -> 02 size SP cfA<nnn><host> LF             <- 0
//   -> the control file, then one zero octet    <- 0   delivered
//
// The data file goes first (section 6 allows either order): a server holds
// no printable job until the small control file, sent last, is complete, so
// a connection lost during the long data transfer leaves nothing half-done
// behind on servers that start a job as soon as its control file is in.
// The data file's size is exact up front: a file document's size when it
// was opened, and exactly that many octets are sent.
//
// The control file (section 7): H host, P user, J title, one 'l' line per
// copy (print leaving control characters: the document is already in the
// printer's language; repeating the line is how RFC 1179 asks for copies),
// and N title. Values are sanitised: control characters become spaces and
// lengths are cut to the RFC's limits (H and P 31 octets, J and N 99).
#pragma once

#include <string>

#include "devices/socket_driver.hpp"

namespace quire::devices {

/// The files of one LPD job, built from its document (pure, for tests).
struct lpd_job_files {
  unsigned number = 0;       // 000-999: the job id modulo 1000
  std::string host;          // for H and the file names; "quire" if none
  std::string data_name;     // dfA<nnn><host>
  std::string control_name;  // cfA<nnn><host>
  std::string control;       // the control file's text
};

lpd_job_files lpd_files_for(const job_document& doc);

class lpd_driver final : public network_driver {
 public:
  /// REQUIRES: lpd::valid_queue_name(queue).
  lpd_driver(uv_loop_t* loop, device_address where, std::string queue, network_options opts)
      : network_driver(loop, std::move(where), opts), queue_(std::move(queue)) {}

 protected:
  std::shared_ptr<network_delivery> make_delivery(job_document doc, callback done) override;

 private:
  std::string queue_;
};

}  // namespace quire::devices
