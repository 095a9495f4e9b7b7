variable "org_name" {
  description = "The organization of the space."
  type        = string
}

variable "space_name" {
  description = "The space of the service and its callers."
  type        = string
}

variable "app_name" {
  description = "The app that serves."
  type        = string
}

variable "hostname" {
  description = "Its internal hostname; defaults to the app's name."
  type        = string
  default     = null
}

variable "port" {
  description = "The port the app listens on."
  type        = number
  default     = 8080

  validation {
    condition     = var.port >= 1024 && var.port <= 65535
    error_message = "The port is the app's own, 1024 to 65535."
  }
}

variable "tls" {
  description = "Callers connect on 61443 with TLS terminated by the platform (else on the app's port, in plain)."
  type        = bool
  default     = true
}

variable "callers" {
  description = "Names of the apps allowed to call the service."
  type        = list(string)
  default     = []
}
