# frozen_string_literal: true

$LOAD_PATH.unshift(File.expand_path("../lib", __dir__)) unless ENV["VINR_TEST_INSTALLED"]
require "json"
require "minitest/autorun"
require "socket"
require "vinr"

# Under make, the gem as installed (gem build, gem install), not this folder's lib.
raise "VINR_TEST_INSTALLED is set but vinr was not loaded as an installed gem" if ENV["VINR_TEST_INSTALLED"] && !Gem.loaded_specs["vinr"]

# A local stub server for the runtime's tests: it answers from a script of responses and
# records what it was sent (a bare TCP server, so nothing beyond the standard library).
class Stub
  Seen = Struct.new(:method, :url, :headers, :body)
  SILENT = { silent: true }.freeze

  attr_reader :seen, :base, :connections

  def self.answer(status, body, headers = {})
    { status: status, body: JSON.generate(body), headers: { "x-request-id" => "req_123" }.merge(headers) }
  end

  # +keep_alive+: answer any number of requests on one connection (else one each, then close).
  def initialize(script, keep_alive: false)
    @script = script
    @keep_alive = keep_alive
    @connections = 0
    @seen = []
    @server = TCPServer.new("127.0.0.1", 0)
    @base = "http://127.0.0.1:#{@server.addr[1]}"
    @thread = Thread.new { serve }
  end

  def close
    @thread.kill
    @server.close unless @server.closed?
  end

  private

  def serve
    loop do
      socket = @server.accept
      @connections += 1
      Thread.new(socket) { |s| @keep_alive ? (handle(s, keep: true) while !s.closed? && !s.eof?) : handle(s) }
    end
  rescue IOError
    nil
  end

  def handle(socket, keep: false)
    method, url = socket.gets.to_s.split
    headers = {}
    while (line = socket.gets) && line != "\r\n"
      name, value = line.split(":", 2)
      headers[name.downcase] = value.strip
    end
    body = socket.read(headers.fetch("content-length", "0").to_i).to_s
    @seen << Seen.new(method, url, headers, body)
    reply = @script[[@seen.size, @script.size].min - 1]
    if reply[:silent]
      sleep 1
    else
      extra = reply[:headers].map { |k, v| "#{k}: #{v}\r\n" }.join
      socket.write("HTTP/1.1 #{reply[:status]} X\r\ncontent-type: application/json\r\n" \
                   "content-length: #{reply[:body].bytesize}\r\n#{keep ? "" : "connection: close\r\n"}" \
                   "#{extra}\r\n#{reply[:body]}")
    end
    socket.close unless keep
  rescue IOError, SystemCallError
    nil
  end
end
