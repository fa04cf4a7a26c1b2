// Operation functions of each domain, registered in catalogue.cpp.
#pragma once
#include "services/operation.hpp"

namespace colonies::services {

OpResult op_get_statistics(OpContext&, const boost::json::object&);
// features.md 7.7: membership and leader, as the server's ClusterLink sees them.
OpResult op_get_cluster(OpContext&, const boost::json::object&);
OpResult op_add_colony(OpContext&, const boost::json::object&);
OpResult op_remove_colony(OpContext&, const boost::json::object&);
OpResult op_get_colonies(OpContext&, const boost::json::object&);
OpResult op_get_colony(OpContext&, const boost::json::object&);
OpResult op_get_colony_stats(OpContext&, const boost::json::object&);
OpResult op_add_user(OpContext&, const boost::json::object&);
OpResult op_get_users(OpContext&, const boost::json::object&);
OpResult op_get_user(OpContext&, const boost::json::object&);
OpResult op_get_user_by_id(OpContext&, const boost::json::object&);
OpResult op_remove_user(OpContext&, const boost::json::object&);

OpResult op_add_executor(OpContext&, const boost::json::object&);
OpResult op_get_executors(OpContext&, const boost::json::object&);
OpResult op_get_executor(OpContext&, const boost::json::object&);
OpResult op_get_executor_by_id(OpContext&, const boost::json::object&);
OpResult op_approve_executor(OpContext&, const boost::json::object&);
OpResult op_reject_executor(OpContext&, const boost::json::object&);
OpResult op_remove_executor(OpContext&, const boost::json::object&);
OpResult op_add_function(OpContext&, const boost::json::object&);
OpResult op_get_functions(OpContext&, const boost::json::object&);
OpResult op_remove_function(OpContext&, const boost::json::object&);
// Function statistics after a successful close (features.md 7.3).
void record_function_run(OpContext& ctx, const Process& p);

OpResult op_submit(OpContext&, const boost::json::object&);
OpResult op_get_process(OpContext&, const boost::json::object&);
OpResult op_get_processes(OpContext&, const boost::json::object&);
OpResult op_remove_process(OpContext&, const boost::json::object&);
OpResult op_remove_all_processes(OpContext&, const boost::json::object&);
OpResult op_close_successful(OpContext&, const boost::json::object&);
OpResult op_close_failed(OpContext&, const boost::json::object&);
OpResult op_set_output(OpContext&, const boost::json::object&);
OpResult op_cancel_process(OpContext&, const boost::json::object&);
OpResult op_add_attribute(OpContext&, const boost::json::object&);
OpResult op_get_attribute(OpContext&, const boost::json::object&);

OpResult op_submit_workflow(OpContext&, const boost::json::object&);
OpResult op_get_graph(OpContext&, const boost::json::object&);
OpResult op_get_graphs(OpContext&, const boost::json::object&);
OpResult op_remove_graph(OpContext&, const boost::json::object&);
OpResult op_remove_all_graphs(OpContext&, const boost::json::object&);
OpResult op_cancel_graph(OpContext&, const boost::json::object&);
OpResult op_add_child(OpContext&, const boost::json::object&);

OpResult op_add_log(OpContext&, const boost::json::object&);
OpResult op_add_executor_log(OpContext&, const boost::json::object&);
OpResult op_get_logs(OpContext&, const boost::json::object&);
OpResult op_search_logs(OpContext&, const boost::json::object&);

// ColonyFS (files_ops.cpp).
OpResult op_add_file(OpContext&, const boost::json::object&);
OpResult op_get_file(OpContext&, const boost::json::object&);
OpResult op_get_files(OpContext&, const boost::json::object&);
OpResult op_get_file_labels(OpContext&, const boost::json::object&);
OpResult op_remove_file(OpContext&, const boost::json::object&);
OpResult op_create_snapshot(OpContext&, const boost::json::object&);
OpResult op_get_snapshot(OpContext&, const boost::json::object&);
OpResult op_get_snapshots(OpContext&, const boost::json::object&);
OpResult op_remove_snapshot(OpContext&, const boost::json::object&);
OpResult op_remove_all_snapshots(OpContext&, const boost::json::object&);

// Requeue the RUNNING processes of an executor that is going away (6.10).
void requeue_processes_of(OpContext& ctx, const std::string& executorid);

}  // namespace colonies::services
