//! The workloads plugin, driven natively through the SDK's harness.

mod cronjobs;
mod deployments;
mod details;
mod fixtures;
mod pods;
mod registration;
