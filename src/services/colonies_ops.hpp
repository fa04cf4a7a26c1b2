// Operation functions of each domain, registered in catalogue.cpp.
#pragma once
#include "services/operation.hpp"

namespace colonies::services {

OpResult op_get_statistics(OpContext&, const boost::json::object&);
// The server-wide counts of getstatisticsmsg, unauthorised: GET /metrics shows them.
Statistics server_statistics(store::StoreTx& tx);
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

// Crons (crons_ops.cpp).
OpResult op_add_cron(OpContext&, const boost::json::object&);
OpResult op_get_cron(OpContext&, const boost::json::object&);
OpResult op_get_crons(OpContext&, const boost::json::object&);
OpResult op_run_cron(OpContext&, const boost::json::object&);
OpResult op_remove_cron(OpContext&, const boost::json::object&);
OpResult op_add_generator(OpContext&, const boost::json::object&);
OpResult op_get_generator(OpContext&, const boost::json::object&);
OpResult op_get_generators(OpContext&, const boost::json::object&);
OpResult op_resolve_generator(OpContext&, const boost::json::object&);
OpResult op_pack_generator(OpContext&, const boost::json::object&);
OpResult op_remove_generator(OpContext&, const boost::json::object&);
// The leader's generator pass (features.md 2.3), bounded: returns the workflows it started.
int run_generators(OpContext& ctx);
// Locations (features.md 7.1) and key rotation (protocol.md 5.15).
OpResult op_add_location(OpContext&, const boost::json::object&);
OpResult op_get_locations(OpContext&, const boost::json::object&);
OpResult op_get_location(OpContext&, const boost::json::object&);
OpResult op_remove_location(OpContext&, const boost::json::object&);
OpResult op_change_user_id(OpContext&, const boost::json::object&);
OpResult op_change_executor_id(OpContext&, const boost::json::object&);
OpResult op_change_colony_id(OpContext&, const boost::json::object&);
OpResult op_change_server_id(OpContext&, const boost::json::object&);
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

// Process history, pause, executor capabilities (issue 14).
OpResult op_get_process_history(OpContext&, const boost::json::object&);
// Our extension: a process's state changes with their times and executors (docs/compat.md).
OpResult op_get_process_transitions(OpContext&, const boost::json::object&);
OpResult op_pause_assignments(OpContext&, const boost::json::object&);
OpResult op_resume_assignments(OpContext&, const boost::json::object&);
OpResult op_get_pause_status(OpContext&, const boost::json::object&);
OpResult op_update_executor(OpContext&, const boost::json::object&);
OpResult op_report_allocation(OpContext&, const boost::json::object&);

// Blueprints (blueprints_ops.cpp, features.md 6).
OpResult op_add_blueprint_definition(OpContext&, const boost::json::object&);
OpResult op_get_blueprint_definition(OpContext&, const boost::json::object&);
OpResult op_get_blueprint_definitions(OpContext&, const boost::json::object&);
OpResult op_remove_blueprint_definition(OpContext&, const boost::json::object&);
OpResult op_add_blueprint(OpContext&, const boost::json::object&);
OpResult op_get_blueprint(OpContext&, const boost::json::object&);
OpResult op_get_blueprints(OpContext&, const boost::json::object&);
OpResult op_update_blueprint(OpContext&, const boost::json::object&);
OpResult op_remove_blueprint(OpContext&, const boost::json::object&);
OpResult op_get_blueprint_history(OpContext&, const boost::json::object&);
OpResult op_update_blueprint_status(OpContext&, const boost::json::object&);
OpResult op_reconcile_blueprint(OpContext&, const boost::json::object&);
// Submits one process of `spec` (normalised and saved WAITING, announced as ready) on behalf of
// the given initiator, as submitfuncspecmsg does once authorised (protocol.md 6.2).
Result<Process> submit_spec(OpContext& ctx, FunctionSpec spec, const std::string& initiatorid,
                            const std::string& initiatorname);

}  // namespace colonies::services
